import { backoffDelay } from './backoff.js';
import type { CloseDetail, ErrorDetail, HeartbeatEventDetails, HeartbeatEventMap } from './events.js';
import {
  DEFAULTS,
  type UrlSpec,
  MAX_TIMER_DELAY,
  MIN_RECONNECT_CAP,
  resolveOptions,
  type HeartbeatOptions,
  type ResolvedOptions,
} from './options.js';
import { animationFrames, createMessageBatch, type FrameScheduler, type MessageBatch } from './message-batch.js';
import { SendQueue, type SocketData } from './send-queue.js';
import { CloseCode, ConnectionStatus } from './status.js';
import { parseProtocols, resolveSocketUrl } from './url.js';

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
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Looks the globals up at each call, so fake timers installed later still take effect. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
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
  /**
   * Where `online`, `offline`, `pageshow` and `pagehide` fire: the window by default; `null`
   * turns that handling off (as outside a browser).
   */
  window?: EventTarget | null;
  /** Where `visibilitychange` and `resume` fire: the document by default; `null` turns it off. */
  document?: (EventTarget & { visibilityState?: string }) | null;
  /** Whether the network is up; defaults to `navigator.onLine`. */
  isOnline?: () => boolean;
  /** What `batch: 'frame'` waits for: `requestAnimationFrame` by default; `null` = a task. */
  frames?: FrameScheduler | null;
}

/** What a reconnect waits for when no retry timer runs. */
export type WaitingFor = 'network' | 'page' | null;

/**
 * A timer that fires this much later than it was due means the page did not run for a while:
 * the machine slept or the page was frozen. (Hidden tabs delay timers by up to 1 s.)
 */
export const WAKE_LATENESS = 2_000;

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
  if (cause instanceof Error) return cause.message;
  try {
    return String(cause);
  } catch {
    return typeof cause;
  }
}

/**
 * A WebSocket that stays alive and honest: heartbeat, dead-connection detection, reconnect with
 * capped exponential backoff and jitter, and a bounded send queue. Framework-free: it needs only
 * a WebSocket constructor, a clock and an EventTarget.
 *
 * Invariant: every status owns at most one socket and at most one timer (`connecting`: the
 * socket and its handshake deadline, or before it the wait for the last socket's close or for
 * the url provider; `open`: the socket and the heartbeat timer; `reconnecting`: the retry
 * timer, or none while waiting for the network or the page). Every status change goes through `#release()` first, which
 * ends both, so two sockets or a stray timer cannot exist whatever the order of calls.
 */
export class HeartbeatConnection extends EventTarget {
  #options: ResolvedOptions = { ...DEFAULTS };
  #status: ConnectionStatus = ConnectionStatus.Idle;
  /** Bumped on every status change: an event sequence stops if a listener changed the status. */
  #generation = 0;

  #socket: WebSocket | undefined;
  /** A socket we closed (on purpose, or declared dead), until its close handshake ends (see #connect). */
  #closingSocket: WebSocket | undefined;
  /** When the wait for #closingSocket ends (monotonic), however often a new attempt asks. */
  #closingSocketDeadline = 0;
  #connectWhenClosed = false;
  #timer: TimerHandle | undefined;

  #openedAt = 0;
  /** Monotonic time of the last inbound message, brought up to date by #syncInbound. */
  #lastInboundAt = 0;
  /**
   * Wall time of the last inbound message: the one clock read per message. Date.now() costs a
   * third of performance.now() in Chromium, and this is the hot path.
   */
  #lastInboundWall = 0;
  #syncedInboundWall = 0;
  #lastPingAt = 0;
  /** Any message arrived on the current socket: part of what makes a connection healthy. */
  #heardSinceOpen = false;
  /** Set while a ping waits for its first inbound reply. */
  #pingSentAt: number | undefined;
  /** The ping in flight was a second chance given after a wake-up (see #checkHeartbeat). */
  #pingIsWakeProbe = false;
  /** When the heartbeat timer was due, to tell a late timer (a wake-up) from a punctual one. */
  #heartbeatTimerDueAt = 0;
  /** Wall clock minus monotonic clock, as of the last heartbeat arm: it grows by any sleep. */
  #wallOffset = 0;
  /** Retries since a socket last opened: what `maxRetries` limits. */
  #retries = 0;
  /** Exponent of the backoff: grows with each retry, reset only by a healthy connection. */
  #backoffLevel = 0;
  #waitingFor: WaitingFor = null;
  #lifecycleAttached = false;
  /** Inbound messages waiting for their `messages` event, in batch mode (see message-batch.ts). */
  #batch: MessageBatch | null = null;

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
    this.#applyBatch();
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

  /** Retries since a socket last opened (what `maxRetries` limits). */
  get retryCount(): number {
    return this.#retries;
  }

  /**
   * While `reconnecting` with no retry scheduled: `'network'` (the browser is offline; the
   * retry runs on `online`) or `'page'` (the page was hidden into the back/forward cache; the
   * retry runs on `pageshow`). Otherwise `null`.
   */
  get waitingFor(): WaitingFor {
    return this.#waitingFor;
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
    if (next.batch !== previous.batch) this.#applyBatch();

    if (next.url !== previous.url || next.urlProvider !== previous.urlProvider) {
      if (!this.#hasUrl()) this.#stop(ConnectionStatus.Idle, { code: CloseCode.Normal, reason: 'url removed' });
      // A new provider applies from the next attempt; a new url switches over now.
      else if (next.url === previous.url) return;
      else if (this.#status !== ConnectionStatus.Idle && this.#status !== ConnectionStatus.Closed) {
        this.#resetRetries();
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
    if (!this.#hasUrl()) {
      this.#emit('error', { code: 'invalid-url', message: 'start(): no url to connect to' });
      return;
    }
    this.#resetRetries();
    this.#connect();
  }

  /** Drops the current socket, if any, and connects now with the backoff reset. */
  reconnect(): void {
    this.#resetRetries();
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

  /**
   * Ends the current socket and timer. The socket is detached first, so nothing it does later
   * reaches us; only when it was open and is closed on purpose (`deliberate`) do we keep
   * listening for the end of its close handshake, which the next attempt waits for.
   */
  #release(ending: SocketEnding, deliberate = false, closeWait = CLOSE_HANDSHAKE_WAIT): void {
    this.#clearTimer();
    this.#connectWhenClosed = false;
    this.#pingSentAt = undefined;
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = undefined;
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
    if (deliberate && socket.readyState === SOCKET_OPEN) {
      this.#forgetClosingSocket();
      this.#closingSocket = socket;
      this.#closingSocketDeadline = this.#clock.now() + closeWait;
      socket.onclose = () => this.#handleClosingSocketClosed(socket);
    }
    if (socket.readyState < SOCKET_CLOSING) {
      try {
        socket.close(ending.code, ending.reason);
      } catch {
        // close() only throws for a bad code or reason; ours are checked, so end it plainly.
        socket.close();
      }
    }
  }

  #resetRetries(): void {
    this.#retries = this.#backoffLevel = 0;
  }

  #forgetClosingSocket(): void {
    if (this.#closingSocket) this.#closingSocket.onclose = null;
    this.#closingSocket = undefined;
  }

  #handleClosingSocketClosed(socket: WebSocket): void {
    if (socket !== this.#closingSocket) return;
    this.#closingSocket = undefined;
    if (this.#connectWhenClosed) {
      this.#clearTimer();
      this.#connectWhenClosed = false;
      this.#connectNow();
    }
  }

  /** Sets the status and announces it; returns the generation that later events must match. */
  #setStatus(next: ConnectionStatus): number {
    const previous = this.#status;
    this.#status = next;
    const generation = ++this.#generation;
    if (next !== ConnectionStatus.Reconnecting) this.#waitingFor = null;
    const active =
      next === ConnectionStatus.Connecting || next === ConnectionStatus.Open || next === ConnectionStatus.Reconnecting;
    if (active !== this.#lifecycleAttached) this.#attachLifecycle(active);
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
  #stop(next: typeof ConnectionStatus.Closed | typeof ConnectionStatus.Idle, ending: SocketEnding, wasClean?: boolean): void {
    const hadSocket = this.#socket !== undefined;
    wasClean ??= this.#socket?.readyState === SOCKET_OPEN;
    this.#release(ending, true);
    this.#resetRetries();
    const generation = this.#setStatus(next);
    if (hadSocket && this.#current(generation)) {
      this.#emit('close', { code: ending.code, reason: ending.reason, wasClean, willReconnect: false });
    }
  }

  /** Replaces the current socket, if any, by a new attempt now. */
  #switchSocket(reason: string): void {
    if (!this.#hasUrl()) {
      this.#emit('error', { code: 'invalid-url', message: 'no url to connect to' });
      return;
    }
    const ending = { code: CloseCode.Normal, reason };
    const hadSocket = this.#socket !== undefined;
    const wasOpen = this.#socket?.readyState === SOCKET_OPEN;
    this.#release(ending, true);
    // The status moves first, so a `close` listener already reads the new one.
    const generation = this.#connect();
    if (hadSocket && this.#current(generation)) {
      const willReconnect = this.#status === ConnectionStatus.Connecting || this.#status === ConnectionStatus.Reconnecting;
      this.#emit('close', { ...ending, wasClean: wasOpen, willReconnect });
    }
  }

  #hasUrl(): boolean {
    return this.#options.url !== '' || this.#options.urlProvider !== null;
  }

  /**
   * Starts an attempt; first lets the last socket finish its close handshake (bounded), so the
   * server never holds two of ours. Returns the generation after the status change.
   */
  #connect(): number {
    this.#release({ code: CloseCode.Normal, reason: 'reconnect' });
    if (this.#closingSocket) {
      this.#connectWhenClosed = true;
      this.#setTimer(() => {
        this.#forgetClosingSocket();
        this.#connectNow();
      }, this.#closingSocketDeadline - this.#clock.now());
      return this.#setStatus(ConnectionStatus.Connecting);
    }
    this.#connectNow();
    return this.#generation;
  }

  /** Asks the url provider first, if there is one, then opens the socket. */
  #connectNow(): void {
    this.#connectWhenClosed = false;
    const provider = this.#options.urlProvider;
    if (!provider) {
      this.#openSocket({ url: this.#options.url, protocols: this.#options.protocols });
      return;
    }
    // The handshake deadline covers the provider too: a token service that hangs is a failed attempt.
    if (this.#options.connectTimeout > 0) {
      this.#setTimer(() => this.#handleConnectTimeout(), this.#options.connectTimeout);
    }
    const generation = this.#setStatus(ConnectionStatus.Connecting);
    if (!this.#current(generation)) return;
    const attempt = this.#retries;
    // Always asked a microtask later, so whatever called #connect finishes its own events first.
    Promise.resolve()
      .then(() => provider({ attempt }))
      .then((spec: UrlSpec) => {
        // A result that arrives after close(), reconnect() or a new url belongs to nobody.
        if (!this.#current(generation)) return;
        if (typeof spec === 'string' || spec instanceof URL) {
          this.#openSocket({ url: String(spec), protocols: this.#options.protocols });
        } else if (spec && typeof spec === 'object' && 'url' in spec) {
          this.#openSocket({ url: String(spec.url), protocols: spec.protocols ?? this.#options.protocols });
        } else throw new TypeError(`expected a url or { url, protocols }, got ${typeof spec}`);
      })
      .catch((cause: unknown) => {
        if (this.#current(generation)) this.#providerFailed(errorMessage(cause), cause);
      });
  }

  /** A url provider that threw, rejected or hung: an error, and a failed attempt (no socket existed). */
  #providerFailed(message: string, cause?: unknown): void {
    this.#clearTimer();
    const generation = this.#generation;
    this.#emit('error', { code: 'url-provider-failed', message: `urlProvider failed: ${message}`, cause });
    if (this.#current(generation)) this.#lose(undefined, false);
  }

  #openSocket(target: { url: string; protocols: string | readonly string[] }): void {
    let socket: WebSocket;
    try {
      const url = resolveSocketUrl(target.url, (this.#env.baseURI ?? defaultBaseURI)());
      const protocols = parseProtocols(target.protocols);
      const Socket = this.#env.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor | undefined);
      if (!Socket) throw new TypeError('no WebSocket implementation: pass one as environment.WebSocket');
      socket = protocols.length > 0 ? new Socket(url, protocols) : new Socket(url);
    } catch (cause) {
      this.#clearTimer();
      const generation = this.#setStatus(ConnectionStatus.Failed);
      if (this.#current(generation)) {
        this.#emit('error', { code: 'invalid-url', message: errorMessage(cause), cause, data: target.url });
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
      // Batched messages came before the close: they go out first, before the loss is handled.
      this.#batch?.flush();
      if (socket !== this.#socket) return;
      // The server's 1000 means "goodbye": honour it. Anything else is a loss worth retrying.
      if (event.code === CloseCode.Normal) {
        this.#stop(ConnectionStatus.Closed, { code: event.code, reason: event.reason }, event.wasClean);
      } else this.#lose({ code: event.code, reason: event.reason, wasClean: event.wasClean }, false);
    };
    this.#socket = socket;
    if (this.#options.connectTimeout > 0 && this.#timer === undefined) {
      this.#setTimer(() => this.#handleConnectTimeout(), this.#options.connectTimeout);
    }
    this.#setStatus(ConnectionStatus.Connecting);
  }

  #handleOpen(socket: WebSocket): void {
    this.#clearTimer();
    const now = this.#clock.now();
    this.#openedAt = this.#lastInboundAt = now;
    this.#lastInboundWall = this.#syncedInboundWall = this.#wallNow();
    this.#heardSinceOpen = false;
    this.#retries = 0;
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
    if (!this.#socket) {
      this.#providerFailed(`no answer within connectTimeout (${this.#options.connectTimeout} ms)`);
      return;
    }
    const ending = { code: CloseCode.ConnectTimeout, reason: 'connect timeout' };
    this.#release(ending);
    this.#lose({ ...ending, wasClean: false }, false);
  }

  /**
   * The socket is gone without the user asking: retry with backoff, or give up.
   * `afterHeartbeatDeath`: the retry goes at once (the contract's rule: the server is probably
   * fine, the path was not). Each new connection gets a whole interval + timeout to prove
   * itself, so a hung server is retried at most once per interval + timeout.
   */
  #lose(ended: Omit<CloseDetail, 'willReconnect'> | undefined, afterHeartbeatDeath: boolean): void {
    // Healthy = stayed open a while AND the server proved itself: one that accepts and then
    // never answers must not reset the backoff, or its retries would never slow down.
    const wasHealthy =
      this.#openedAt > 0 &&
      this.#clock.now() - this.#openedAt >= this.#options.healthyAfter &&
      (this.#heardSinceOpen || this.#options.interval <= 0);
    // A dead socket was released by #declareDead (waiting briefly for its close handshake).
    this.#release({ code: CloseCode.Normal, reason: '' });
    this.#openedAt = 0;
    if (wasHealthy) this.#backoffLevel = 0;

    const { maxRetries, reconnectDelay, reconnectMaxDelay } = this.#options;
    if (this.#retries >= maxRetries) {
      const generation = this.#setStatus(ConnectionStatus.Failed);
      if (!this.#current(generation)) return;
      if (ended) this.#emit('close', { ...ended, willReconnect: false });
      if (!this.#current(generation)) return;
      this.#emit('error', {
        code: 'retries-exhausted',
        message: `gave up after ${this.#retries} ${this.#retries === 1 ? 'retry' : 'retries'}`,
      });
      return;
    }

    if (!this.#isOnline()) {
      // Offline, an attempt would fail at once: wait for `online` instead of burning retries.
      this.#waitingFor = 'network';
      const generation = this.#setStatus(ConnectionStatus.Reconnecting);
      if (ended && this.#current(generation)) this.#emit('close', { ...ended, willReconnect: true });
      return;
    }
    const cap = Math.max(reconnectMaxDelay, MIN_RECONNECT_CAP);
    // A 0 ms base would never grow: doubling from 1 ms keeps even that from spinning.
    const base = Math.max(reconnectDelay, 1);
    const attempt = ++this.#retries;
    const level = this.#backoffLevel++;
    const delay = afterHeartbeatDeath ? 0 : backoffDelay(level, base, cap, this.#env.random);
    this.#setTimer(() => {
      this.#connect();
    }, delay);
    const generation = this.#setStatus(ConnectionStatus.Reconnecting);
    if (!this.#current(generation)) return;
    if (ended) this.#emit('close', { ...ended, willReconnect: true });
    if (!this.#current(generation)) return;
    this.#emit('retry', { attempt, delay, maxRetries });
  }

  // ---- the heartbeat rule -----------------------------------------------------------------
  //
  // After `interval` ms without inbound traffic, send the ping. Any inbound message proves the
  // line alive. If nothing arrives within `timeout` ms of the ping, the connection is dead.
  // Cost per inbound message: one wall-clock read; no timer is created or cleared per message.
  // The one heartbeat timer wakes at the next moment something could be due, turns the wall
  // time of the last message into monotonic time, and re-arms for the remainder when traffic
  // moved that moment on.

  #handleMessage(event: MessageEvent): void {
    this.#lastInboundWall = this.#wallNow();
    this.#heardSinceOpen = true;
    const data: unknown = event.data;
    const { pongMessage } = this.#options;
    if (this.#pingSentAt !== undefined) {
      const latency = Math.round(this.#clock.now() - this.#pingSentAt);
      this.#pingSentAt = undefined;
      this.#pingIsWakeProbe = false;
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
      this.#deliver(value);
      return;
    }
    this.#deliver(data);
  }

  #deliver(data: unknown): void {
    if (this.#batch) this.#batch.push(data);
    else this.#emit('message', { data });
  }

  /** A new batch mode: what waits under the old one goes out first. */
  #applyBatch(): void {
    this.#batch?.flush();
    const { batch } = this.#options;
    const doc = this.#env.document === undefined ? defaultDocument() : this.#env.document;
    const frames = this.#env.frames !== undefined ? this.#env.frames : typeof requestAnimationFrame === 'function' ? animationFrames : null;
    this.#batch =
      batch === 'none'
        ? null
        : createMessageBatch(batch, (items) => this.#target.dispatchEvent(new CustomEvent('messages', { detail: { data: items } })), {
            clock: this.#clock,
            frames,
            document: doc,
          });
  }

  /** When the heartbeat next needs attention: a ping's deadline, or the end of the quiet interval. */
  /**
   * Moves #lastInboundAt to the latest message, mapping its wall time to monotonic time with the
   * offset taken at the last arm, kept between the old value and now: a wall-clock step can at
   * worst make one message look older (an early ping), never stall the heartbeat.
   */
  #syncInbound(now: number): void {
    if (this.#lastInboundWall === this.#syncedInboundWall) return;
    this.#syncedInboundWall = this.#lastInboundWall;
    let at = this.#lastInboundWall - this.#wallOffset;
    // In the future: the wall clock jumped forward (a step, or a sleep) before that message, so
    // today's offset maps it.
    if (at > now) at = this.#lastInboundWall - (this.#wallNow() - now);
    this.#lastInboundAt = Math.min(now, Math.max(this.#lastInboundAt, at));
  }

  #heartbeatDue(): number {
    const { interval, timeout } = this.#options;
    if (this.#pingSentAt !== undefined && timeout > 0) return this.#pingSentAt + timeout;
    return Math.max(this.#lastInboundAt, this.#lastPingAt) + interval;
  }

  /** How much the wall clock moved on beyond the monotonic one since `#wallOffset` was taken. */
  #sleptFor(now: number): number {
    return Math.max(0, this.#wallNow() - now - this.#wallOffset);
  }

  #wallNow(): number {
    return this.#clock.wallNow ? this.#clock.wallNow() : this.#clock.now();
  }

  #armHeartbeat(now: number): void {
    if (this.#options.interval <= 0) return;
    this.#syncInbound(now);
    this.#wallOffset = this.#wallNow() - now;
    const due = this.#heartbeatDue();
    this.#heartbeatTimerDueAt = Math.max(due, now);
    this.#setTimer(() => this.#checkHeartbeat(), due - now);
  }

  #checkHeartbeat(): void {
    const now = this.#clock.now();
    this.#syncInbound(now);
    if (now >= this.#heartbeatDue()) {
      if (this.#pingSentAt !== undefined && this.#options.timeout > 0) {
        // Deadlines are judged by the clock, but a timer that fires long after it was due means
        // this page did not run (sleep, freeze): the reply may be waiting in the socket right
        // now. Give the line one fresh probe and a fresh timeout instead of killing it.
        // (socket.io #5135 and react-use-websocket #269 killed healthy sockets on wake-up.)
        const lateness = now - this.#heartbeatTimerDueAt + this.#sleptFor(now);
        if (lateness > WAKE_LATENESS && !this.#pingIsWakeProbe) {
          this.#sendPing(now, true);
          this.#armHeartbeat(now);
          return;
        }
        this.#declareDead();
        return;
      }
      this.#sendPing(now);
    }
    this.#armHeartbeat(now);
  }

  /**
   * Pings now, with a fresh deadline, unless a ping is already in flight: for moments when the
   * socket may have died unseen (offline, back from hidden, resumed). Needs the heartbeat on.
   */
  #probe(): void {
    if (this.#status !== ConnectionStatus.Open || this.#options.interval <= 0 || this.#pingSentAt !== undefined) return;
    const now = this.#clock.now();
    this.#sendPing(now);
    this.#armHeartbeat(now);
  }

  #sendPing(now: number, wakeProbe = false): void {
    this.#pingIsWakeProbe = wakeProbe;
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
    this.#release(ending, true, DEAD_SOCKET_CLOSE_WAIT);
    this.#lose({ ...ending, wasClean: false }, true);
  }

  // ---- the page and the network ------------------------------------------------------------
  //
  // Listeners are on the window and document only while a connection is active (connecting,
  // open, reconnecting), so a closed or idle connection holds no references from the page.

  #attachLifecycle(attach: boolean): void {
    this.#lifecycleAttached = attach;
    const win = this.#env.window === undefined ? defaultWindow() : this.#env.window;
    const doc = this.#env.document === undefined ? defaultDocument() : this.#env.document;
    const method = attach ? 'addEventListener' : 'removeEventListener';
    if (win) {
      win[method]('online', this.#onOnline);
      win[method]('offline', this.#onOffline);
      win[method]('pagehide', this.#onPageHide);
      win[method]('pageshow', this.#onPageShow);
    }
    if (doc) {
      doc[method]('visibilitychange', this.#onVisible);
      doc[method]('resume', this.#onVisible);
    }
  }

  #isOnline(): boolean {
    if (this.#env.isOnline) return this.#env.isOnline();
    return (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine !== false;
  }

  #onOffline = (): void => {
    if (this.#status === ConnectionStatus.Open) this.#probe();
    else if (this.#status === ConnectionStatus.Reconnecting && this.#waitingFor === null) {
      this.#clearTimer();
      this.#waitingFor = 'network';
    }
  };

  #onOnline = (): void => {
    if (this.#status === ConnectionStatus.Open) this.#probe();
    // Back online: retry now, skipping whatever backoff delay was pending.
    else if (this.#status === ConnectionStatus.Reconnecting && this.#waitingFor !== 'page') this.#connect();
  };

  #onVisible = (): void => {
    const doc = this.#env.document === undefined ? defaultDocument() : this.#env.document;
    if (doc?.visibilityState === 'hidden') return;
    this.#probeIfStale();
  };

  /** Back from hidden, frozen or cached: a socket quiet for `interval` may have died meanwhile. */
  #probeIfStale(): void {
    const now = this.#clock.now();
    this.#syncInbound(now);
    if (this.#status === ConnectionStatus.Open && now - this.#lastInboundAt + this.#sleptFor(now) >= this.#options.interval) {
      this.#probe();
    }
  }

  // Release the server at once when the page goes away; a page with an open socket is also kept
  // out of the back/forward cache. (1001 "going away" is what we mean, but close() from a page
  // accepts only 1000 and 3000–4999.)
  #onPageHide = (): void => {
    if (this.#status !== ConnectionStatus.Connecting && this.#status !== ConnectionStatus.Open) {
      if (this.#status === ConnectionStatus.Reconnecting) {
        this.#clearTimer();
        this.#waitingFor = 'page';
      }
      return;
    }
    const hadSocket = this.#socket !== undefined;
    const ending = { code: CloseCode.Normal, reason: 'page hidden' };
    const wasOpen = this.#socket?.readyState === SOCKET_OPEN;
    this.#release(ending, true);
    this.#waitingFor = 'page';
    const generation = this.#setStatus(ConnectionStatus.Reconnecting);
    if (hadSocket && this.#current(generation)) this.#emit('close', { ...ending, wasClean: wasOpen, willReconnect: true });
  };

  #onPageShow = (event: Event): void => {
    if (this.#status === ConnectionStatus.Reconnecting && this.#waitingFor === 'page') this.#connect();
    else if ((event as PageTransitionEvent).persisted) this.#probeIfStale();
  };

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
    // Batched messages go out before anything that happened after them (a close, an error):
    // arrival order holds across events. If a `messages` listener moved the state on, an event
    // of the superseded sequence is stale and is not dispatched (errors always are).
    if (this.#batch?.size) {
      const generation = this.#generation;
      this.#batch.flush();
      if (generation !== this.#generation && type !== 'error') return;
    }
    this.#target.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

function defaultBaseURI(): string | undefined {
  return (globalThis as { document?: { baseURI?: string } }).document?.baseURI;
}

function defaultWindow(): EventTarget | null {
  const win = (globalThis as { window?: EventTarget }).window;
  return win && typeof win.addEventListener === 'function' ? win : null;
}

function defaultDocument(): (EventTarget & { visibilityState?: string }) | null {
  const doc = (globalThis as { document?: EventTarget & { visibilityState?: string } }).document;
  return doc && typeof doc.addEventListener === 'function' ? doc : null;
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
