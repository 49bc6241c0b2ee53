// How the connection reaches the world: time, the WebSocket implementation, the page. Everything
// is injectable, so tests and non-browser hosts (Node with `ws`, undici) control it.
import type { FrameScheduler } from './message-batch.js';
import type { ConnectionStatus } from './status.js';

export type TimerHandle = unknown;

/** Time and timers, injectable so tests (and non-browser hosts) control them. */
export interface Clock {
  /**
   * Monotonic ms (`performance.now()`): every deadline is judged on it, so a wall-clock step
   * (NTP, the user changing the time) can neither stall nor fire the heartbeat.
   */
  now(): number;
  /**
   * Wall-clock ms (`Date.now()`). A monotonic clock stands still while the machine sleeps; the
   * wall clock does not, which is how a wake-up is recognised. Defaults to `now()`.
   */
  wallNow?(): number;
  /**
   * When a message event was made, on `now()`'s scale, if the event says so: browsers stamp every
   * event as they make it (`Event.timeStamp`, relative to the same origin as `performance.now()`).
   * The heartbeat keeps the last event and reads its stamp only when it needs it, so a message
   * costs no clock read. A stamp on another scale (epoch ms, `ws`'s events have none) is found
   * out on the first message, and the clock is read per message instead.
   */
  eventTime?(event: SocketMessageEvent): number | undefined;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Looks the globals up at each call, so fake timers installed later still take effect. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  eventTime: (event) => event.timeStamp,
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Browsers run a setTimeout longer than 2^31-1 ms at once: a huge interval would spin. */
export const MAX_TIMER_DELAY = 2_147_483_647;

/** `clock.setTimeout` with the delay kept within what every timer implementation accepts. */
export function startTimer(clock: Clock, callback: () => void, ms: number): TimerHandle {
  return clock.setTimeout(callback, Math.min(Math.max(0, ms), MAX_TIMER_DELAY));
}

/** One timer slot: setting it replaces whatever was pending, so there is never a second one. */
export class Timer {
  #handle: TimerHandle | undefined;
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  set(callback: () => void, ms: number): void {
    this.clear();
    const fire = (): void => {
      this.#handle = undefined;
      callback();
    };
    this.#handle = startTimer(this.#clock, fire, ms);
  }

  clear(): void {
    if (this.#handle === undefined) return;
    this.#clock.clearTimeout(this.#handle);
    this.#handle = undefined;
  }
}

/**
 * A handler property whose parameter is checked both ways, like a method: the DOM's, `ws`'s and
 * undici's sockets each type their events differently, and every one of them has what we read.
 */
type SocketHandler<E> = { handler(event: E): void }['handler'] | null;

/** What the core reads from an inbound message event. */
export interface SocketMessageEvent {
  readonly data: unknown;
  /** When the event was made (the DOM's `Event.timeStamp`); see `Clock.eventTime`. */
  readonly timeStamp?: number;
}

/** What the core reads from a close event. */
export interface SocketCloseEvent {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/**
 * The members of a WebSocket the core uses, and no more: the DOM's `WebSocket`, the `ws`
 * package's and undici's (Node 22's global) all fit.
 */
export interface SocketLike {
  readonly url: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Set to the `binaryType` option; an implementation that does not know the value ignores it. */
  binaryType: string;
  onopen: SocketHandler<unknown>;
  onmessage: SocketHandler<SocketMessageEvent>;
  onerror: SocketHandler<unknown>;
  onclose: SocketHandler<SocketCloseEvent>;
  /**
   * Typed narrowly (no Blob, no SharedArrayBuffer) so that every implementation fits: undici
   * (Node 22's global) types Blob as Node's, mock-socket takes no SharedArrayBuffer. The core
   * passes on what the user gave (see `sendData`).
   */
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket class: `new WebSocket(url)` or `new WebSocket(url, protocols)`. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => SocketLike;

/** How the connection reaches the world: all optional, with browser defaults. */
export interface HeartbeatEnvironment {
  /** Defaults to the global `WebSocket`, looked up at each connect. */
  WebSocket?: WebSocketConstructor;
  clock?: Clock;
  /** [0, 1) source for the backoff jitter. */
  random?: () => number;
  /** Base for relative urls; defaults to `document.baseURI` where there is a document. */
  baseURI?: () => string | undefined;
  /**
   * Where events are dispatched; defaults to the connection itself. The element passes itself,
   * so each inbound message costs one event, not a core event re-dispatched as a DOM event.
   */
  eventTarget?: EventTarget;
  /** Called on every status change before `status-change` is dispatched. */
  onStatusChange?: (status: ConnectionStatus, previous: ConnectionStatus) => void;
  /**
   * Where `online`, `offline`, `pageshow` and `pagehide` fire: the window by default; `null`
   * turns that handling off (as outside a browser).
   */
  window?: EventTarget | null;
  /** Where `visibilitychange` and `resume` fire: the document by default; `null` turns it off. */
  document?: PageDocument | null;
  /** Whether the network is up; defaults to `navigator.onLine`. */
  isOnline?: () => boolean;
  /** What `batch: 'frame'` waits for: `requestAnimationFrame` by default; `null` = a task. */
  frames?: FrameScheduler | null;
}

export type PageDocument = EventTarget & { visibilityState?: string };

/** The global WebSocket, if this host has one. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  return (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
}

export function defaultBaseURI(): string | undefined {
  return (globalThis as { document?: { baseURI?: string } }).document?.baseURI;
}

export function defaultWindow(): EventTarget | null {
  const win = (globalThis as { window?: EventTarget }).window;
  return win && typeof win.addEventListener === 'function' ? win : null;
}

export function defaultDocument(): PageDocument | null {
  const doc = (globalThis as { document?: PageDocument }).document;
  return doc && typeof doc.addEventListener === 'function' ? doc : null;
}

export function defaultIsOnline(): boolean {
  return (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine !== false;
}
