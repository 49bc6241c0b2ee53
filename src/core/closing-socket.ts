import type { Clock, SocketLike } from './environment.js';

/**
 * How long a new attempt waits for a socket we closed on purpose to finish its close handshake,
 * so the server never sees two sockets from one element (a dead one: see DEAD_SOCKET_CLOSE_WAIT).
 */
export const CLOSE_HANDSHAKE_WAIT = 1_000;

/**
 * The same wait for a socket declared dead by the heartbeat: a server that merely stopped
 * answering pings still completes the close handshake in a round trip, and then never sees two
 * sockets; a truly silent path costs the reconnect only this much.
 */
export const DEAD_SOCKET_CLOSE_WAIT = 100;

/**
 * A socket we closed on purpose, kept until its close handshake ends, so that the next attempt
 * can wait for it and the server never holds two of our sockets at once. The wait is bounded:
 * a dead path never finishes its handshake (Chromium reports such a close ~60 s later).
 */
export class ClosingSocket {
  #socket: SocketLike | undefined;
  #deadline = 0;
  #whenClosed: (() => void) | undefined;
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** A socket is still finishing its close handshake. */
  get pending(): boolean {
    return this.#socket !== undefined;
  }

  /** ms left of the wait for it (the deadline holds however often a new attempt asks). */
  get remaining(): number {
    return this.#deadline - this.#clock.now();
  }

  /** Listens to `socket` (already detached from everything else) for the end of its handshake, for `wait` ms. */
  track(socket: SocketLike, wait: number): void {
    this.forget();
    this.#socket = socket;
    this.#deadline = this.#clock.now() + wait;
    socket.onclose = () => {
      if (socket !== this.#socket) return;
      this.#socket = undefined;
      const callback = this.#whenClosed;
      this.#whenClosed = undefined;
      callback?.();
    };
  }

  /** Runs `callback` once when the handshake ends; `undefined` cancels an earlier one. */
  whenClosed(callback: (() => void) | undefined): void {
    this.#whenClosed = callback;
  }

  /** Stops waiting: the socket's end no longer matters. */
  forget(): void {
    if (this.#socket) this.#socket.onclose = null;
    this.#socket = undefined;
    this.#whenClosed = undefined;
  }
}
