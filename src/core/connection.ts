import { backoffDelay } from './backoff.js';
import type { CloseDetail, ErrorDetail, HeartbeatEventDetails, HeartbeatEventMap } from './events.js';
import {
  DEFAULTS,
  MAX_TIMER_DELAY,
  MIN_RECONNECT_CAP,
  resolveOptions,
  type HeartbeatOptions,
  type ResolvedOptions,
} from './options.js';
import { SendQueue, type SocketData } from './send-queue.js';
import { CloseCode, ConnectionStatus } from './status.js';
import { parseProtocols, resolveSocketUrl } from './url.js';

export type TimerHandle = unknown;

/** Time and timers, injectable so tests (and non-browser hosts) control them. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Looks the globals up at each call, so fake timers installed later still take effect. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

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
}

interface SocketEnding {
  code: number;
  reason: string;
}

const SOCKET_OPEN = 1;
const SOCKET_CLOSING = 2;

function isSocketData(data: unknown): data is SocketData {
  return (
    typeof data === 'string' ||
    data instanceof ArrayBuffer ||
    ArrayBuffer.isView(data) ||
    (typeof Blob !== 'undefined' && data instanceof Blob)
  );
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

function errorMessage(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * A WebSocket that stays alive and honest: heartbeat, dead-connection detection, reconnect with
 * capped exponential backoff and jitter, and a bounded send queue. Framework-free: it needs only
 * a WebSocket constructor, a clock and an EventTarget.
 *
 * Invariant: every status owns at most one socket and at most one timer (`connecting`: the
 * socket and its handshake deadline; `open`: the socket and the heartbeat timer;
 * `reconnecting`: the retry timer). Every status change goes through `#release()` first, which
 * ends both, so two sockets or a stray timer cannot exist whatever the order of calls.
 */
export class HeartbeatConnection extends EventTarget {
  #options: ResolvedOptions = { ...DEFAULTS };
  #status: ConnectionStatus = ConnectionStatus.Idle;
  /** Bumped on every status change: an event sequence stops if a listener changed the status. */
  #generation = 0;

  #socket: WebSocket | undefined;
  #timer: TimerHandle | undefined;

  #openedAt = 0;
  #lastInboundAt = 0;
  #lastPingAt = 0;
  /** Any message arrived on the current socket: part of what makes a connection healthy. */
  #heardSinceOpen = false;
  /** Set while a ping waits for its first inbound reply. */
  #pingSentAt: number | undefined;
  /** Consecutive retries since the last healthy connection. */
  #retries = 0;

  readonly #queue: SendQueue;
  readonly #env: HeartbeatEnvironment;
  readonly #clock: Clock;
  readonly #target: EventTarget;

  constructor(options: HeartbeatOptions = {}, environment: HeartbeatEnvironment = {}) {
    super();
    this.#env = environment;
    this.#clock = environment.clock ?? systemClock;
    this.#target = environment.eventTarget ?? this;
    // Listeners can only be added after construction: report bad options a microtask later.
    const problems: ErrorDetail[] = [];
    this.#options = resolveOptions(DEFAULTS, options, (error) => problems.push(error));
    if (problems.length > 0) queueMicrotask(() => problems.forEach((error) => this.#emit('error', error)));
    this.#queue = new SendQueue(this.#options.queueLimit);
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** The settings in force, after validation. */
  get options(): Readonly<ResolvedOptions> {
    return this.#options;
  }

  /** The current socket's url, or '' when there is none. */
  get url(): string {
    return this.#socket?.url ?? '';
  }

  /** The current socket (connecting or open), for `bufferedAmount`, `protocol`, `extensions`. */
  get socket(): WebSocket | undefined {
    return this.#socket;
  }

  /** Messages waiting for the next open socket. */
  get queuedCount(): number {
    return this.#queue.size;
  }

  /** Consecutive failed attempts since the last healthy connection. */
  get retryCount(): number {
    return this.#retries;
  }

  /**
   * Changes settings. A new url switches over to it (one socket at most) unless the connection
   * is idle or closed; a new interval or timeout re-arms the heartbeat without reconnecting;
   * other settings apply from the next attempt. Clearing the url ends the connection (`idle`).
   */
  configure(options: HeartbeatOptions): void {
    const previous = this.#options;
    this.#options = resolveOptions(previous, options, (error) => this.#emit('error', error));
    const next = this.#options;
    this.#queue.limit = next.queueLimit;
    if (this.#socket) this.#socket.binaryType = next.binaryType;

    if (next.url !== previous.url) {
      if (next.url === '') this.#stop(ConnectionStatus.Idle, { code: CloseCode.Normal, reason: 'url removed' });
      else if (this.#status !== ConnectionStatus.Idle && this.#status !== ConnectionStatus.Closed) {
        this.#retries = 0;
        this.#switchSocket('url changed');
      }
      return;
    }
    if (
      this.#status === ConnectionStatus.Open &&
      (next.interval !== previous.interval || next.timeout !== previous.timeout)
    ) {
      this.#clearTimer();
      this.#armHeartbeat(this.#clock.now());
    }
  }

  /** Connects if not already connecting or connected. */
  start(): void {
    if (
      this.#status === ConnectionStatus.Connecting ||
      this.#status === ConnectionStatus.Open ||
      this.#status === ConnectionStatus.Reconnecting
    ) {
      return;
    }
    this.#retries = 0;
    this.#connect();
  }

  /** Drops the current socket, if any, and connects now with the backoff reset. */
  reconnect(): void {
    this.#retries = 0;
    this.#switchSocket('reconnect');
  }

  /**
   * Sends now when open, else queues for the next open. Returns false, with an `error` event,
   * when the data cannot be sent, the queue is full, or the connection is closed or failed.
   */
  send(data: unknown): boolean {
    let payload: SocketData;
    if (this.#options.format === 'json' && typeof data !== 'string' && !isSocketData(data)) {
      let text: string | undefined;
      try {
        text = JSON.stringify(data);
      } catch (cause) {
        return this.#refuse('invalid-data', `send(): value cannot be JSON-stringified: ${errorMessage(cause)}`, data, cause);
      }
      if (text === undefined) return this.#refuse('invalid-data', `send(): ${typeof data} cannot be JSON-stringified`, data);
      payload = text;
    } else if (isSocketData(data)) {
      payload = data;
    } else {
      return this.#refuse(
        'invalid-data',
        `send() takes a string, ArrayBuffer, typed array or Blob (got ${data === null ? 'null' : typeof data}); set format="json" to send objects`,
        data,
      );
    }

    const status = this.#status;
    if (status === ConnectionStatus.Closed || status === ConnectionStatus.Failed) {
      return this.#refuse('not-connected', `send(): the connection is ${status}; call reconnect() first`, data);
    }
    const socket = this.#socket;
    // A socket can be CLOSING before its close event reaches us; a send then is silently lost.
    if (status === ConnectionStatus.Open && socket && socket.readyState === SOCKET_OPEN) {
      try {
        socket.send(payload);
        return true;
      } catch (cause) {
        return this.#refuse('send-failed', `send() failed: ${errorMessage(cause)}`, data, cause);
      }
    }
    if (!this.#queue.push(payload)) {
      return this.#refuse('queue-full', `send(): the queue is full (${this.#queue.limit} messages); message refused`, data);
    }
    return true;
  }

  /** Closes on purpose: status `closed`, no retry, every timer cleared. Queued messages stay queued. */
  close(code: number = CloseCode.Normal, reason = ''): void {
    let ending: SocketEnding = { code, reason: String(reason) };
    if (!(code === CloseCode.Normal || (Number.isInteger(code) && code >= 3000 && code <= 4999))) {
      this.#emit('error', {
        code: 'invalid-close',
        message: `close(): code ${String(code)} is not allowed (1000 or 3000–4999); closing with 1000`,
        data: code,
      });
      ending = { code: CloseCode.Normal, reason: ending.reason };
    }
    if (utf8Length(ending.reason) > 123) {
      this.#emit('error', {
        code: 'invalid-close',
        message: 'close(): reason is longer than 123 bytes; closing without a reason',
        data: reason,
      });
      ending = { code: ending.code, reason: '' };
    }
    this.#stop(ConnectionStatus.Closed, ending);
  }

  /** Removes every queued message; returns how many there were. */
  clearQueue(): number {
    return this.#queue.clear();
  }

  // ---- the state machine ------------------------------------------------------------------

  /** Ends the current socket (detached first: its close handshake is never waited on) and timer. */
  #release(ending: SocketEnding): void {
    this.#clearTimer();
    this.#pingSentAt = undefined;
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = undefined;
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
    if (socket.readyState < SOCKET_CLOSING) {
      try {
        socket.close(ending.code, ending.reason);
      } catch {
        // close() only throws for a bad code or reason; ours are checked, so end it plainly.
        socket.close();
      }
    }
  }

  /** Sets the status and announces it; returns the generation that later events must match. */
  #setStatus(next: ConnectionStatus): number {
    const previous = this.#status;
    this.#status = next;
    const generation = ++this.#generation;
    if (previous !== next) {
      this.#env.onStatusChange?.(next, previous);
      this.#emit('status-change', { status: next, previous });
    }
    return generation;
  }

  #current(generation: number): boolean {
    return generation === this.#generation;
  }

  /** Ends on purpose (closed or idle): no retry. */
  #stop(next: typeof ConnectionStatus.Closed | typeof ConnectionStatus.Idle, ending: SocketEnding, wasClean = true): void {
    const hadSocket = this.#socket !== undefined;
    this.#release(ending);
    this.#retries = 0;
    const generation = this.#setStatus(next);
    if (hadSocket && this.#current(generation)) {
      this.#emit('close', { code: ending.code, reason: ending.reason, wasClean, willReconnect: false });
    }
  }

  /** Replaces the current socket, if any, by a new attempt now. */
  #switchSocket(reason: string): void {
    if (this.#options.url === '') {
      this.#emit('error', { code: 'invalid-url', message: 'no url to connect to' });
      return;
    }
    if (this.#socket) {
      const ending = { code: CloseCode.Normal, reason };
      const generation = this.#generation;
      this.#release(ending);
      this.#emit('close', { ...ending, wasClean: true, willReconnect: true });
      if (!this.#current(generation)) return;
    }
    this.#connect();
  }

  #connect(): void {
    this.#release({ code: CloseCode.Normal, reason: 'reconnect' });
    let socket: WebSocket;
    try {
      const url = resolveSocketUrl(this.#options.url, (this.#env.baseURI ?? defaultBaseURI)());
      const protocols = parseProtocols(this.#options.protocols);
      const Socket = this.#env.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor | undefined);
      if (!Socket) throw new TypeError('no WebSocket implementation: pass one as environment.WebSocket');
      socket = protocols.length > 0 ? new Socket(url, protocols) : new Socket(url);
    } catch (cause) {
      const generation = this.#setStatus(ConnectionStatus.Failed);
      if (this.#current(generation)) {
        this.#emit('error', { code: 'invalid-url', message: errorMessage(cause), cause, data: this.#options.url });
      }
      return;
    }
    socket.binaryType = this.#options.binaryType;
    socket.onopen = () => {
      if (socket === this.#socket) this.#handleOpen(socket);
    };
    socket.onmessage = (event) => {
      if (socket === this.#socket) this.#handleMessage(event);
    };
    socket.onerror = (event) => {
      if (socket === this.#socket) {
        this.#emit('error', { code: 'socket-error', message: `WebSocket error on ${socket.url}`, cause: event });
      }
    };
    socket.onclose = (event) => {
      if (socket !== this.#socket) return;
      // The server's 1000 means "goodbye": honour it. Anything else is a loss worth retrying.
      if (event.code === CloseCode.Normal) {
        this.#stop(ConnectionStatus.Closed, { code: event.code, reason: event.reason }, event.wasClean);
      } else this.#lose({ code: event.code, reason: event.reason, wasClean: event.wasClean }, false);
    };
    this.#socket = socket;
    if (this.#options.connectTimeout > 0) {
      this.#setTimer(() => this.#handleConnectTimeout(), this.#options.connectTimeout);
    }
    this.#setStatus(ConnectionStatus.Connecting);
  }

  #handleOpen(socket: WebSocket): void {
    this.#clearTimer();
    const now = this.#clock.now();
    this.#openedAt = this.#lastInboundAt = now;
    this.#heardSinceOpen = false;
    this.#lastPingAt = 0;
    this.#pingSentAt = undefined;
    this.#flushQueue(socket);
    this.#armHeartbeat(now);
    const generation = this.#setStatus(ConnectionStatus.Open);
    if (this.#current(generation)) this.#emit('open', { url: socket.url });
  }

  /** Queued messages go first, in order, before anything a listener of `open` sends. */
  #flushQueue(socket: WebSocket): void {
    const items = this.#queue.takeAll();
    for (let i = 0; i < items.length; i++) {
      try {
        socket.send(items[i] as SocketData);
      } catch (cause) {
        this.#queue.restore(items.slice(i + 1));
        this.#emit('error', { code: 'send-failed', message: `queued message could not be sent: ${errorMessage(cause)}`, cause, data: items[i] });
        return;
      }
    }
  }

  #handleConnectTimeout(): void {
    const ending = { code: CloseCode.ConnectTimeout, reason: 'connect timeout' };
    this.#release(ending);
    this.#lose({ ...ending, wasClean: false }, false);
  }

  /**
   * The socket is gone without the user asking: retry with backoff, or give up.
   * `afterHeartbeatDeath`: the first retry after a connection died goes at once (the server is
   * probably fine, the path was not); later ones back off like any other.
   */
  #lose(ended: Omit<CloseDetail, 'willReconnect'>, afterHeartbeatDeath: boolean): void {
    // Healthy = stayed open a while AND the server proved itself: one that accepts and then
    // never answers must not reset the backoff, or its retries would never slow down.
    const wasHealthy =
      this.#openedAt > 0 &&
      this.#clock.now() - this.#openedAt >= this.#options.healthyAfter &&
      (this.#heardSinceOpen || this.#options.interval <= 0);
    this.#release({ code: CloseCode.Normal, reason: '' });
    this.#openedAt = 0;
    if (wasHealthy) this.#retries = 0;

    const { maxRetries, reconnectDelay, reconnectMaxDelay } = this.#options;
    if (this.#retries >= maxRetries) {
      const generation = this.#setStatus(ConnectionStatus.Failed);
      if (!this.#current(generation)) return;
      this.#emit('close', { ...ended, willReconnect: false });
      if (!this.#current(generation)) return;
      this.#emit('error', {
        code: 'retries-exhausted',
        message: `gave up after ${this.#retries} ${this.#retries === 1 ? 'retry' : 'retries'}`,
      });
      return;
    }

    const attempt = ++this.#retries;
    const cap = Math.max(reconnectMaxDelay, MIN_RECONNECT_CAP);
    // A 0 ms base would never grow: doubling from 1 ms keeps even that from spinning.
    const base = Math.max(reconnectDelay, 1);
    const delay = afterHeartbeatDeath && attempt === 1 ? 0 : backoffDelay(attempt - 1, base, cap, this.#env.random);
    this.#setTimer(() => {
      this.#connect();
    }, delay);
    const generation = this.#setStatus(ConnectionStatus.Reconnecting);
    if (!this.#current(generation)) return;
    this.#emit('close', { ...ended, willReconnect: true });
    if (!this.#current(generation)) return;
    this.#emit('retry', { attempt, delay, maxRetries });
  }

  // ---- the heartbeat rule -----------------------------------------------------------------
  //
  // After `interval` ms without inbound traffic, send the ping. Any inbound message proves the
  // line alive. If nothing arrives within `timeout` ms of the ping, the connection is dead.
  // Cost per inbound message: one clock read; no timer is created or cleared per message. The
  // one heartbeat timer wakes at the next moment something could be due and re-arms for the
  // remainder when traffic moved that moment on.

  #handleMessage(event: MessageEvent): void {
    const now = this.#clock.now();
    this.#lastInboundAt = now;
    this.#heardSinceOpen = true;
    const data: unknown = event.data;
    const { pongMessage } = this.#options;
    if (this.#pingSentAt !== undefined) {
      const latency = now - this.#pingSentAt;
      this.#pingSentAt = undefined;
      const generation = this.#generation;
      this.#emit('heartbeat', { latency, pong: data === pongMessage });
      if (!this.#current(generation)) return;
    }
    if (data === pongMessage) return;
    if (this.#options.format === 'json' && typeof data === 'string') {
      let value: unknown;
      try {
        value = JSON.parse(data);
      } catch (cause) {
        this.#emit('error', { code: 'invalid-json', message: `inbound message is not valid JSON: ${errorMessage(cause)}`, cause, data });
        return;
      }
      this.#emit('message', { data: value });
      return;
    }
    this.#emit('message', { data });
  }

  /** When the heartbeat next needs attention: a ping's deadline, or the end of the quiet interval. */
  #heartbeatDue(): number {
    const { interval, timeout } = this.#options;
    if (this.#pingSentAt !== undefined && timeout > 0) return this.#pingSentAt + timeout;
    return Math.max(this.#lastInboundAt, this.#lastPingAt) + interval;
  }

  #armHeartbeat(now: number): void {
    if (this.#options.interval <= 0) return;
    this.#setTimer(() => this.#checkHeartbeat(), this.#heartbeatDue() - now);
  }

  #checkHeartbeat(): void {
    const now = this.#clock.now();
    if (now >= this.#heartbeatDue()) {
      if (this.#pingSentAt !== undefined && this.#options.timeout > 0) {
        this.#declareDead();
        return;
      }
      this.#sendPing(now);
    }
    this.#armHeartbeat(now);
  }

  #sendPing(now: number): void {
    this.#lastPingAt = this.#pingSentAt = now;
    try {
      this.#socket?.send(this.#options.pingMessage);
    } catch {
      // A socket that cannot send is dead; the ping's deadline will say so.
    }
  }

  /** No reply in time: end the socket without waiting for its close handshake, retry at once. */
  #declareDead(): void {
    const ending = { code: CloseCode.HeartbeatTimeout, reason: `heartbeat timeout: no message within ${this.#options.timeout} ms of a ping` };
    this.#release(ending);
    this.#lose({ ...ending, wasClean: false }, true);
  }

  // ---- plumbing ---------------------------------------------------------------------------

  /** The one timer of the current status (handshake deadline, heartbeat, or retry). */
  #setTimer(callback: () => void, ms: number): void {
    this.#clearTimer();
    const fire = (): void => {
      this.#timer = undefined;
      callback();
    };
    this.#timer = this.#clock.setTimeout(fire, Math.min(Math.max(0, ms), MAX_TIMER_DELAY));
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #refuse(code: ErrorDetail['code'], message: string, data: unknown, cause?: unknown): false {
    this.#emit('error', cause === undefined ? { code, message, data } : { code, message, data, cause });
    return false;
  }

  #emit<K extends keyof HeartbeatEventDetails>(type: K, detail: HeartbeatEventDetails[K]): void {
    this.#target.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

function defaultBaseURI(): string | undefined {
  return (globalThis as { document?: { baseURI?: string } }).document?.baseURI;
}

export interface HeartbeatConnection {
  addEventListener<K extends keyof HeartbeatEventMap>(
    type: K,
    listener: (this: HeartbeatConnection, event: HeartbeatEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof HeartbeatEventMap>(
    type: K,
    listener: (this: HeartbeatConnection, event: HeartbeatEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}
