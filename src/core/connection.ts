// The state machine: the one class that owns the socket and every transition. The rules it
// applies live next to it: heartbeat.ts (when to ping, when the line is dead), backoff.ts (when
// to retry, when to give up), close-policy.ts (what a server's close code asks), page-lifecycle.ts
// (what the page reports), message-format.ts (text/json), environment.ts (clock, WebSocket, page).
import { Backoff, isHealthy, type Loss } from './backoff.js';
import { checkOwnClose, closeAction, rejectionMessage, type SocketEnding } from './close-policy.js';
import { CLOSE_HANDSHAKE_WAIT, DEAD_SOCKET_CLOSE_WAIT } from './closing-socket.js';
import {
  type Clock,
  type HeartbeatEnvironment,
  type SocketCloseEvent,
  type SocketLike,
  type SocketMessageEvent,
  Timer,
  defaultDocument,
  systemClock,
} from './environment.js';
import type { CloseDetail, ErrorDetail, HeartbeatEventDetails, HeartbeatEventMap, TypedEventTargetConstructor } from './events.js';
import { Heartbeat } from './heartbeat.js';
import { UnsendableValue, decodeInbound, encodeOutbound, errorMessage } from './message-format.js';
import { animationFrames, createMessageBatch, type MessageBatch } from './message-batch.js';
import { DEFAULTS, resolveOptions, type HeartbeatOptions, type ResolvedOptions } from './options.js';
import { PageLifecycle } from './page-lifecycle.js';
import { SendQueue } from './send-queue.js';
import { CloseCode, ConnectionStatus } from './status.js';
import { SOCKET_OPEN, SocketSlot, createSocket, sendData } from './socket.js';
import { askUrlProvider, type SocketTarget } from './url.js';

// Moved to their own modules; still reachable from here for existing imports.
export type { Clock, HeartbeatEnvironment, TimerHandle, WebSocketConstructor } from './environment.js';
export { systemClock } from './environment.js';
export { WAKE_LATENESS } from './heartbeat.js';
export { CLOSE_HANDSHAKE_WAIT, DEAD_SOCKET_CLOSE_WAIT } from './closing-socket.js';

/** What a reconnect waits for, besides its retry timer (see `waitingFor`). */
export type WaitingFor = 'network' | 'page' | null;

const isActive = (status: ConnectionStatus): boolean =>
  status === ConnectionStatus.Connecting || status === ConnectionStatus.Open || status === ConnectionStatus.Reconnecting;

/**
 * A WebSocket that stays alive and honest: heartbeat, dead-connection detection, reconnect with
 * capped exponential backoff and jitter, and a bounded send queue. Framework-free: it needs only
 * a WebSocket constructor, a clock and an EventTarget.
 *
 * Invariant: every status owns at most one socket and at most one timer (`connecting`: the
 * socket and its handshake deadline, or before it the wait for the last socket's close or for
 * the url provider; `open`: the socket and the heartbeat's timer; `reconnecting`: the retry
 * timer, or none while waiting for the page). Every status change goes through `#release()`
 * first, which ends both, so two sockets or a stray timer cannot exist whatever the order of calls.
 */
export class HeartbeatConnection extends (EventTarget as TypedEventTargetConstructor<HeartbeatEventMap>) {
  #options: ResolvedOptions;
  #status: ConnectionStatus = ConnectionStatus.Idle;
  /** Bumped on every status change: an event sequence stops if a listener changed the status. */
  #generation = 0;

  readonly #slot: SocketSlot;
  /** The handshake deadline, the wait before an attempt, or the retry: never the heartbeat's. */
  readonly #timer: Timer;
  /** Monotonic time the current socket opened; undefined while none is open. */
  #openedAt: number | undefined;
  #waitingFor: WaitingFor = null;
  /** The server asked for a fresh url (a refresh code); cleared by a healthy connection. */
  #refreshAsked = false;

  readonly #backoff = new Backoff();
  readonly #queue: SendQueue;
  readonly #env: HeartbeatEnvironment;
  readonly #clock: Clock;
  readonly #target: EventTarget;
  readonly #heartbeat: Heartbeat;
  readonly #page: PageLifecycle;
  /** Inbound messages waiting for their `messages` event, in batch mode (message-batch.ts). */
  #batch: MessageBatch | null = null;

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
    this.#slot = new SocketSlot(this.#clock, {
      open: (socket) => this.#handleOpen(socket),
      message: (event) => this.#handleMessage(event),
      error: (socket, event) => this.#emit('error', { code: 'socket-error', message: `WebSocket error on ${socket.url}`, cause: event }),
      close: (socket, event) => {
        // Batched messages came before the close: they go out first, before the loss is handled.
        this.#batch?.flush();
        if (socket === this.#slot.current) this.#handleServerClose(event);
      },
    });
    this.#timer = new Timer(this.#clock);
    this.#heartbeat = new Heartbeat(this.#clock, {
      sendPing: () => this.#slot.current?.send(this.#options.pingMessage),
      lineDead: () => this.#declareDead(),
    });
    this.#page = new PageLifecycle(environment, {
      online: () => this.#onOnline(),
      offline: () => this.#onOffline(),
      visible: () => this.#heartbeat.probeIfStale(),
      pageHide: () => this.#onPageHide(),
      pageShow: (persisted) => this.#onPageShow(persisted),
    });
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
    return this.#slot.current?.url ?? '';
  }

  /** The current socket (connecting or open), for `bufferedAmount`, `protocol`: whatever `environment.WebSocket` made. */
  get socket(): WebSocket | undefined {
    return this.#slot.current as WebSocket | undefined;
  }

  /** Messages waiting for the next open socket. */
  get queuedCount(): number {
    return this.#queue.size;
  }

  /** Retries since a socket last opened (what `maxRetries` limits). */
  get retryCount(): number {
    return this.#backoff.retries;
  }

  /**
   * While `reconnecting`: `'network'` when the browser says it is offline (the retry is still
   * scheduled at the backoff pace, since a loopback, LAN or VPN server may answer; `online`
   * retries at once), or `'page'` when the page went into the back/forward cache (no retry is
   * scheduled; `pageshow` retries). Otherwise `null`.
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
    if (this.#slot.current) this.#slot.current.binaryType = next.binaryType;
    if (next.batch !== previous.batch) this.#applyBatch();

    if (next.url !== previous.url || next.urlProvider !== previous.urlProvider) {
      if (!this.#hasUrl()) this.#stop(ConnectionStatus.Idle, { code: CloseCode.Normal, reason: 'url removed' });
      // A new provider applies from the next attempt; a new url switches over now.
      else if (next.url === previous.url) return;
      else if (this.#status !== ConnectionStatus.Idle && this.#status !== ConnectionStatus.Closed) this.#switchSocket('url changed');
      return;
    }
    this.#heartbeat.configure(next.interval, next.timeout);
  }

  /** Connects if not already connecting or connected. */
  start(): void {
    if (isActive(this.#status)) return;
    if (this.#lacksUrl()) return;
    this.#resetRetries();
    this.#connect();
  }

  /** Drops the current socket, if any, and connects now with the backoff reset. */
  reconnect(): void {
    this.#switchSocket('reconnect');
  }

  /**
   * Sends now when open, else queues for the next open. Returns false, with an `error` event,
   * when the data cannot be sent, the queue is full, or the connection is closed or failed.
   */
  send(data: unknown): boolean {
    const payload = encodeOutbound(this.#options.format, data);
    if (payload instanceof UnsendableValue) return this.#refuse('invalid-data', payload.message, data, payload.cause);

    const status = this.#status;
    if (status === ConnectionStatus.Closed || status === ConnectionStatus.Failed) {
      return this.#refuse('not-connected', `send(): ${status}; reconnect() first`, data);
    }
    const socket = this.#slot.current;
    // A socket can be CLOSING before its close event reaches us; a send then is silently lost.
    if (status === ConnectionStatus.Open && socket && socket.readyState === SOCKET_OPEN) {
      try {
        sendData(socket, payload);
        return true;
      } catch (cause) {
        return this.#refuse('send-failed', `send() failed: ${errorMessage(cause)}`, data, cause);
      }
    }
    if (!this.#queue.push(payload)) {
      return this.#refuse('queue-full', `send(): queue full (${this.#queue.limit})`, data);
    }
    return true;
  }

  /** Closes on purpose: status `closed`, no retry, every timer cleared. Queued messages stay queued. */
  close(code: number = CloseCode.Normal, reason = ''): void {
    this.#stop(ConnectionStatus.Closed, checkOwnClose(code, reason, (error) => this.#emit('error', error)));
  }

  /** Removes every queued message; returns how many there were. */
  clearQueue(): number {
    return this.#queue.clear();
  }

  // ---- transitions ------------------------------------------------------------------------

  /** Sets the status and announces it; returns the generation that later events must match. */
  #setStatus(next: ConnectionStatus): number {
    const previous = this.#status;
    this.#status = next;
    const generation = ++this.#generation;
    if (next !== ConnectionStatus.Reconnecting) this.#waitingFor = null;
    this.#page.attach(isActive(next));
    if (previous !== next) {
      this.#env.onStatusChange?.(next, previous);
      this.#emit('status-change', { status: next, previous });
    }
    return generation;
  }

  #current(generation: number): boolean {
    return generation === this.#generation;
  }

  /** Ends the current socket and timer; with `closeWait` (on purpose), the next attempt waits that long for its end (see SocketSlot.release). */
  #release(ending: SocketEnding, closeWait?: number): void {
    this.#timer.clear();
    this.#heartbeat.stop();
    this.#slot.release(ending, closeWait);
  }

  /**
   * The one way to end the socket on purpose: release it (waiting for its close handshake
   * before the next one), `enter` the next status, then announce the socket's `close` unless a
   * listener of that status change already moved on. `willReconnect` follows the new status.
   */
  #leave(ending: SocketEnding, enter: () => number, wasClean?: boolean): void {
    const socket = this.#slot.current;
    const clean = wasClean ?? socket?.readyState === SOCKET_OPEN;
    this.#release(ending, CLOSE_HANDSHAKE_WAIT);
    this.#openedAt = undefined;
    const generation = enter();
    if (socket && this.#current(generation)) {
      const willReconnect = this.#status === ConnectionStatus.Connecting || this.#status === ConnectionStatus.Reconnecting;
      this.#emit('close', { code: ending.code, reason: ending.reason, wasClean: clean, willReconnect });
    }
  }

  /** Ends on purpose (closed or idle): no retry. */
  #stop(next: typeof ConnectionStatus.Closed | typeof ConnectionStatus.Idle, ending: SocketEnding, wasClean?: boolean): void {
    const enter = (): number => (this.#resetRetries(), this.#setStatus(next));
    this.#leave(ending, enter, wasClean);
  }

  /** Replaces the current socket, if any, by a new attempt now, with the backoff reset. */
  #switchSocket(reason: string): void {
    this.#resetRetries();
    if (this.#lacksUrl()) return;
    // The status moves first, so a `close` listener already reads the new one.
    this.#leave({ code: CloseCode.Normal, reason }, () => this.#connect());
  }

  #resetRetries(): void {
    this.#backoff.reset();
    this.#refreshAsked = false;
  }

  #hasUrl(): boolean {
    return this.#options.url !== '' || this.#options.urlProvider !== null;
  }

  /** No url and no url provider: says so (an `invalid-url` error) and returns true. */
  #lacksUrl(): boolean {
    if (this.#hasUrl()) return false;
    this.#emit('error', { code: 'invalid-url', message: 'no url or urlProvider' });
    return true;
  }

  // ---- connecting -------------------------------------------------------------------------

  /**
   * Starts an attempt; first lets the last socket finish its close handshake (bounded), so the
   * server never holds two of ours. Returns the generation after the status change.
   */
  #connect(): number {
    this.#release({ code: CloseCode.Normal, reason: 'reconnect' });
    if (this.#slot.closing.pending) {
      this.#slot.closing.whenClosed(() => {
        this.#timer.clear();
        this.#connectNow();
      });
      this.#timer.set(() => {
        this.#slot.closing.forget();
        this.#connectNow();
      }, this.#slot.closing.remaining);
      return this.#setStatus(ConnectionStatus.Connecting);
    }
    this.#connectNow();
    return this.#generation;
  }

  /** Arms the handshake deadline, then asks the url provider first, if there is one, and opens the socket. */
  #connectNow(): void {
    this.#slot.closing.whenClosed(undefined);
    const { urlProvider: provider, connectTimeout } = this.#options;
    // The deadline covers the provider too: a token service that hangs is a failed attempt.
    if (connectTimeout > 0) this.#timer.set(() => this.#handleConnectTimeout(), connectTimeout);
    if (!provider) {
      this.#openSocket({ url: this.#options.url, protocols: this.#options.protocols });
      return;
    }
    const generation = this.#setStatus(ConnectionStatus.Connecting);
    if (!this.#current(generation)) return;
    const context = { attempt: this.#backoff.retries, refresh: this.#refreshAsked };
    askUrlProvider(provider, context, this.#options.protocols, {
      // A result that arrives after close(), reconnect() or a new url belongs to nobody.
      stale: () => !this.#current(generation),
      use: (target) => this.#openSocket(target),
      failed: (cause) => this.#providerFailed(errorMessage(cause), cause),
    });
  }

  /** A url provider that threw, rejected or hung: an error, and a failed attempt (no socket existed). */
  #providerFailed(message: string, cause?: unknown): void {
    this.#timer.clear();
    const generation = this.#generation;
    this.#emit('error', { code: 'url-provider-failed', message: `urlProvider failed: ${message}`, cause });
    if (this.#current(generation)) this.#lose(undefined, 'retry');
  }

  #openSocket(target: SocketTarget): void {
    const made = createSocket(target, this.#env, this.#options.binaryType);
    if ('error' in made) {
      this.#fail(made.error);
      return;
    }
    this.#slot.hold(made.socket);
    this.#setStatus(ConnectionStatus.Connecting);
  }

  /** Gives up with an error that says why (an unusable url, no WebSocket, a server's refusal). */
  #fail(error: ErrorDetail, ended?: Omit<CloseDetail, 'willReconnect'>): void {
    this.#release({ code: CloseCode.Normal, reason: '' });
    this.#openedAt = undefined;
    const generation = this.#setStatus(ConnectionStatus.Failed);
    if (ended && this.#current(generation)) this.#emit('close', { ...ended, willReconnect: false });
    if (this.#current(generation)) this.#emit('error', error);
  }

  #handleOpen(socket: SocketLike): void {
    this.#timer.clear();
    this.#openedAt = this.#clock.now();
    this.#backoff.opened();
    // Queued messages go first, in order, before anything a listener of `open` sends.
    const failure = this.#queue.flush((data) => sendData(socket, data));
    if (failure) {
      const message = `queued send failed: ${errorMessage(failure.cause)}`;
      this.#emit('error', { code: 'send-failed', message, cause: failure.cause, data: failure.data });
    }
    this.#heartbeat.start(this.#options.interval, this.#options.timeout);
    const generation = this.#setStatus(ConnectionStatus.Open);
    if (this.#current(generation)) this.#emit('open', { url: socket.url });
  }

  #handleConnectTimeout(): void {
    if (!this.#slot.current) {
      this.#providerFailed(`no answer in connectTimeout ${this.#options.connectTimeout} ms`);
      return;
    }
    const ending = { code: CloseCode.ConnectTimeout, reason: 'connect timeout' };
    this.#release(ending);
    this.#lose({ ...ending, wasClean: false }, 'retry');
  }

  // ---- losing the connection --------------------------------------------------------------

  /** The server (or the network) ended the socket: what its close code asks (close-policy.ts). */
  #handleServerClose(event: SocketCloseEvent): void {
    const ended = { code: event.code, reason: event.reason, wasClean: event.wasClean };
    const action = closeAction(event.code, this.#options);
    if (action === 'closed') {
      this.#stop(ConnectionStatus.Closed, { code: event.code, reason: event.reason }, event.wasClean);
    } else if (action === 'fail' || (action === 'refresh' && this.#refreshAsked && !this.#wasHealthy())) {
      const message = rejectionMessage(event.code, event.reason, action === 'refresh');
      this.#fail({ code: 'server-rejected', message, data: { code: event.code, reason: event.reason } }, ended);
    } else {
      if (action === 'refresh') this.#refreshAsked = true;
      this.#lose(ended, action);
    }
  }

  #wasHealthy(): boolean {
    const openFor = this.#openedAt === undefined ? undefined : this.#clock.now() - this.#openedAt;
    return isHealthy(openFor, this.#heartbeat.heard, this.#options.interval > 0, this.#options.healthyAfter);
  }

  /** No reply in time: end the socket without waiting for its close handshake, retry at once. */
  #declareDead(): void {
    const ending = { code: CloseCode.HeartbeatTimeout, reason: `heartbeat timeout (${this.#options.timeout} ms)` };
    this.#release(ending, DEAD_SOCKET_CLOSE_WAIT);
    this.#lose({ ...ending, wasClean: false }, 'heartbeat-death');
  }

  /**
   * The socket is gone without the user asking: retry as the backoff rule says, or give up.
   * After a heartbeat death the retry goes at once; each new connection gets a whole
   * interval + timeout to prove itself, so a hung server is retried at most once per interval + timeout.
   */
  #lose(ended: Omit<CloseDetail, 'willReconnect'> | undefined, kind: Loss['kind']): void {
    const healthy = this.#wasHealthy();
    if (healthy) this.#refreshAsked = kind === 'refresh';
    this.#release({ code: CloseCode.Normal, reason: '' });
    this.#openedAt = undefined;
    // navigator.onLine is false whenever no interface but loopback is up, while a server on
    // localhost, the LAN or a VPN may still answer: keep trying (issue 8 §1c).
    const offline = !this.#page.isOnline();
    const retry = this.#backoff.next({ kind, healthy, offline }, this.#options, this.#env.random);
    if (!retry) {
      this.#fail({ code: 'retries-exhausted', message: `gave up: maxRetries ${this.#options.maxRetries}` }, ended);
      return;
    }
    this.#timer.set(() => this.#connect(), retry.delay);
    this.#waitingFor = offline ? 'network' : null;
    const generation = this.#setStatus(ConnectionStatus.Reconnecting);
    if (!this.#current(generation)) return;
    if (ended) this.#emit('close', { ...ended, willReconnect: true });
    if (!this.#current(generation)) return;
    this.#emit('retry', { attempt: retry.attempt, delay: retry.delay, maxRetries: this.#options.maxRetries });
  }

  // ---- inbound messages (the hot path) ----------------------------------------------------

  /** Costs one event (no clock read where events carry a stamp); the heartbeat hears every message first. */
  #handleMessage(event: SocketMessageEvent): void {
    const data = event.data;
    const latency = this.#heartbeat.inbound(event);
    if (latency >= 0) {
      const generation = this.#generation;
      this.#emit('heartbeat', { latency, pong: data === this.#options.pongMessage });
      if (!this.#current(generation)) return;
    }
    if (data !== this.#options.pongMessage) this.#deliver(data);
  }

  /** The one place an inbound message is decoded and dispatched. */
  #deliver(data: unknown): void {
    let value: unknown;
    try {
      value = decodeInbound(this.#options.format, data);
    } catch (cause) {
      this.#emit('error', { code: 'invalid-json', message: `inbound message is not valid JSON: ${errorMessage(cause)}`, cause, data });
      return;
    }
    if (this.#batch) this.#batch.push(value);
    else this.#emit('message', { data: value });
  }

  /** A new batch mode: what waits under the old one goes out first. */
  #applyBatch(): void {
    this.#batch?.flush();
    const { batch } = this.#options;
    const env = this.#env;
    this.#batch =
      batch === 'none'
        ? null
        : createMessageBatch(batch, (items) => this.#target.dispatchEvent(new CustomEvent('messages', { detail: { data: items } })), {
            clock: this.#clock,
            frames: env.frames !== undefined ? env.frames : typeof requestAnimationFrame === 'function' ? animationFrames : null,
            document: env.document !== undefined ? env.document : defaultDocument(),
          });
  }

  // ---- what the page reports (page-lifecycle.ts) ------------------------------------------

  #onOffline(): void {
    if (this.#status === ConnectionStatus.Open) this.#heartbeat.probe();
    // The retry stays scheduled (see #lose); waitingFor says why it may fail.
    else if (this.#status === ConnectionStatus.Reconnecting && this.#waitingFor === null) this.#waitingFor = 'network';
  }

  #onOnline(): void {
    if (this.#status === ConnectionStatus.Open) this.#heartbeat.probe();
    // Back online: retry now, skipping whatever backoff delay was pending.
    else if (this.#status === ConnectionStatus.Reconnecting && this.#waitingFor !== 'page') this.#connect();
  }

  // Release the server at once when the page goes away; a page with an open socket is also kept
  // out of the back/forward cache. (1001 "going away" is what we mean, but close() from a page
  // accepts only 1000 and 3000–4999.)
  #onPageHide(): void {
    if (this.#status === ConnectionStatus.Reconnecting) {
      this.#timer.clear();
      this.#waitingFor = 'page';
    }
    if (this.#status !== ConnectionStatus.Connecting && this.#status !== ConnectionStatus.Open) return;
    this.#leave({ code: CloseCode.Normal, reason: 'page hidden' }, () => {
      this.#waitingFor = 'page';
      return this.#setStatus(ConnectionStatus.Reconnecting);
    });
  }

  #onPageShow(persisted: boolean): void {
    if (this.#status === ConnectionStatus.Reconnecting && this.#waitingFor === 'page') this.#connect();
    else if (persisted) this.#heartbeat.probeIfStale();
  }

  // ---- plumbing ---------------------------------------------------------------------------

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
