// Making and ending one socket: the plumbing under the state machine, which owns the socket.
import type { SocketEnding } from './close-policy.js';
import { ClosingSocket } from './closing-socket.js';
import {
  type Clock,
  type HeartbeatEnvironment,
  type SocketCloseEvent,
  type SocketLike,
  type SocketMessageEvent,
  defaultBaseURI,
  globalWebSocket,
} from './environment.js';
import type { ErrorDetail } from './events.js';
import { errorMessage, type SocketData } from './message-format.js';
import { parseProtocols, resolveSocketUrl, type SocketTarget } from './url.js';

export const SOCKET_OPEN = 1;
const SOCKET_CLOSING = 2;

/**
 * A new socket for `target`, or the error that prevents one: `invalid-url` (an unusable url or
 * subprotocol list) or `no-websocket` (none in this host, none injected). Never throws.
 */
export function createSocket(
  target: SocketTarget,
  env: Pick<HeartbeatEnvironment, 'WebSocket' | 'baseURI'>,
  binaryType: string,
): { socket: SocketLike } | { error: ErrorDetail } {
  try {
    const url = resolveSocketUrl(target.url, (env.baseURI ?? defaultBaseURI)());
    const Socket = env.WebSocket ?? globalWebSocket();
    if (!Socket) return { error: { code: 'no-websocket', message: 'no WebSocket: pass environment.WebSocket' } };
    const protocols = parseProtocols(target.protocols);
    const socket = protocols.length > 0 ? new Socket(url, protocols) : new Socket(url);
    socket.binaryType = binaryType;
    return { socket };
  } catch (cause) {
    // An unusable url, or what the url check cannot see: the constructor's SyntaxError for a bad subprotocol list.
    return { error: { code: 'invalid-url', message: errorMessage(cause), cause, data: target.url } };
  }
}

/** Sends what the user gave, a Blob included (SocketLike.send is typed without it). */
export function sendData(socket: SocketLike, data: SocketData): void {
  socket.send(data as string | ArrayBuffer | ArrayBufferView);
}

/** Nothing the socket does from now on reaches us. */
export function detachSocket(socket: SocketLike): void {
  socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
}

/** Starts the close handshake, unless the socket is already closing or closed. */
export function closeSocket(socket: SocketLike, ending: SocketEnding): void {
  if (socket.readyState >= SOCKET_CLOSING) return;
  try {
    socket.close(ending.code, ending.reason);
  } catch {
    // close() only throws for a bad code or reason; ours are checked, so end it plainly.
    socket.close();
  }
}

/** What the held socket reports; a socket that is no longer held reports nothing. */
export interface SocketEvents {
  open(socket: SocketLike): void;
  message(event: SocketMessageEvent): void;
  error(socket: SocketLike, event: unknown): void;
  close(socket: SocketLike, event: SocketCloseEvent): void;
}

/**
 * The one socket of a connection: the slot holds at most one, and a socket released from it is
 * detached at once, so nothing it does later reaches us. "Never two sockets" is its shape.
 */
export class SocketSlot {
  #socket: SocketLike | undefined;
  /** A socket released on purpose, until its close handshake ends: the next attempt waits for it. */
  readonly closing: ClosingSocket;
  readonly #events: SocketEvents;

  constructor(clock: Clock, events: SocketEvents) {
    this.closing = new ClosingSocket(clock);
    this.#events = events;
  }

  get current(): SocketLike | undefined {
    return this.#socket;
  }

  hold(socket: SocketLike): void {
    this.release({ code: 1000, reason: '' });
    this.#socket = socket;
    const events = this.#events;
    socket.onopen = () => {
      if (socket === this.#socket) events.open(socket);
    };
    socket.onmessage = (event) => {
      if (socket === this.#socket) events.message(event);
    };
    socket.onerror = (event) => {
      if (socket === this.#socket) events.error(socket, event);
    };
    socket.onclose = (event) => {
      if (socket === this.#socket) events.close(socket, event);
    };
  }

  /**
   * Ends the held socket. With `closeWait` (closed on purpose), its end is awaited for up to that
   * long (see `closing`): the close handshake of an open socket, and also the end of a handshake
   * abandoned half-way. The server may already have accepted that one (its upgrade crossed our
   * close()), and an attempt started before the browser has dropped it was seen at the server as
   * a second socket of ours: churn of url changes, Chromium, 1 run in 4 on a busy machine.
   */
  release(ending: SocketEnding, closeWait?: number): void {
    this.closing.whenClosed(undefined);
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = undefined;
    detachSocket(socket);
    if (closeWait !== undefined && socket.readyState <= SOCKET_OPEN) this.closing.track(socket, closeWait);
    closeSocket(socket, ending);
  }
}
