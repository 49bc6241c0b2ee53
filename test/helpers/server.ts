// Browser-side wrappers over the fault server (test/server/fault-server.mjs), which runs in the
// test runner's Node process and is reached through `executeServerCommand('fault-server', ...)`.
import { executeServerCommand } from '@web/test-runner-commands';
import { closesTcpPromptly } from './engine.js';

export interface ServerInfo {
  wsPort: number;
  proxyPort: number;
  blackholePort: number;
  refusedPort: number;
}

export interface TagStats {
  opened: number;
  current: number;
  /** Most TCP connections of the tag at once (a socket counts until its TCP close). */
  maxConcurrent: number;
  /** Sockets of the tag in the OPEN state now (not yet in their close handshake). */
  open: number;
  /** Most sockets of the tag OPEN at once. */
  maxOpen: number;
  received: string[];
  closes: { code: number; reason: string }[];
  protocols: string[];
  blackholeConnections: number;
  /** Blackhole sockets of the tag still open (a pending handshake the client has not abandoned). */
  blackholeOpen: number;
}

/** Runs one fault-server action; rejects if the server throws (e.g. unknown action). */
export function serverCommand<T>(action: string, payload: Record<string, unknown> = {}): Promise<T> {
  return executeServerCommand<T, Record<string, unknown>>('fault-server', { ...payload, action });
}

let infoPromise: Promise<ServerInfo> | undefined;

/** Ports of the fault server's parts; fetched once per page. */
export function serverInfo(): Promise<ServerInfo> {
  if (!infoPromise) {
    infoPromise = serverCommand<ServerInfo>('info');
    infoPromise.catch(() => {
      infoPromise = undefined; // let a later call retry
    });
  }
  return infoPromise;
}

let tagCounter = 0;

/** A tag unique across test files and calls, so parallel tests never touch each other's sockets. */
export function newTag(): string {
  tagCounter += 1;
  const random = Math.random().toString(36).slice(2, 8);
  return `t-${Date.now().toString(36)}-${tagCounter}-${random}`;
}

/** `ws://127.0.0.1:PORT/?tag=TAG`, straight to the ws server or through the (silenceable) proxy. */
export function wsUrl(info: ServerInfo, tag: string, via: 'direct' | 'proxy' = 'direct'): string {
  const port = via === 'proxy' ? info.proxyPort : info.wsPort;
  return `ws://127.0.0.1:${port}/?tag=${encodeURIComponent(tag)}`;
}

/** Counters and recorded traffic for one tag (zeros for an unknown tag). */
export function stats(tag: string): Promise<TagStats> {
  return serverCommand<TagStats>('stats', { tag });
}

/** Sends text to every open socket of the tag; resolves to the number of sockets. */
export function send(tag: string, data: string): Promise<number> {
  return serverCommand<number>('send', { tag, data });
}

/** Terminates every socket of the tag (TCP destroyed, no close frame); resolves to the count. */
export function drop(tag: string): Promise<number> {
  return serverCommand<number>('drop', { tag });
}

/** Closes every socket of the tag with a close frame; resolves to the count. */
export function close(tag: string, code?: number, reason?: string): Promise<number> {
  return serverCommand<number>('close', { tag, code, reason });
}

/** While on, the server answers neither pings nor echoes for the tag (it still records). */
export function mute(tag: string, on = true): Promise<boolean> {
  return serverCommand<boolean>('mute', { tag, on });
}

/** Answers pings for the tag after `ms` (0 = at once). */
export function pongDelay(tag: string, ms: number): Promise<boolean> {
  return serverCommand<boolean>('pong-delay', { tag, ms });
}

/** Proxy stops (or resumes) forwarding both ways for the tag's current connections; no FIN/RST. */
export function silence(tag: string, on = true): Promise<number> {
  return serverCommand<number>('silence', { tag, on });
}

/** While on, new upgrade requests for the tag get HTTP 503. */
export function refuse(tag: string, on = true): Promise<boolean> {
  return serverCommand<boolean>('refuse', { tag, on });
}

/**
 * From now on, every new socket of the tag is ended as soon as it opens: terminated (the client
 * sees 1006), or closed with `code` and `reason`. `null` turns it off.
 */
export function onOpen(tag: string, action: { mode: 'terminate' } | { mode: 'close'; code: number; reason?: string } | null): Promise<boolean> {
  return serverCommand<boolean>('on-open', { tag, ...(action ?? { mode: null }) });
}

/** When each socket of the tag opened (ms since the epoch, the server's clock), oldest first. */
export function openTimes(tag: string): Promise<number[]> {
  return serverCommand<number[]>('open-times', { tag });
}

/** Terminates the tag's sockets and forgets its state. */
export function reset(tag: string): Promise<boolean> {
  return serverCommand<boolean>('reset', { tag });
}

/**
 * The tag's sockets at the server now. Where the engine ends a closed socket's TCP connection at
 * once, every TCP connection counts; in Firefox, which may keep it a while (helpers/engine.ts),
 * the OPEN sockets do: a socket whose close handshake is done is no longer the element's.
 */
export const socketsNow = (s: TagStats): number => (closesTcpPromptly ? s.current : s.open);

/** The most sockets of the tag the server held at once, counted as `socketsNow` counts. */
export const socketsAtOnce = (s: TagStats): number => (closesTcpPromptly ? s.maxConcurrent : s.maxOpen);

/** Sockets of the tag OPEN now, and the most OPEN at once so far (sampled at every open). */
export function openSockets(tag: string): Promise<{ open: number; maxOpen: number }> {
  return serverCommand<{ open: number; maxOpen: number }>('open-sockets', { tag });
}
