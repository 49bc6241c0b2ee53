// The heartbeat rule, in one place.
//
// After `interval` ms without inbound traffic, send the ping. Any inbound message proves the
// line alive. If nothing arrives within `timeout` ms of the ping, the line is dead. After a
// reply, the next ping is due `interval` ms after it, whatever `timeout` is, so a silent line is
// found at most `interval + timeout` ms after the last inbound message.
//
// Cost per inbound message: no clock read where the browser stamps its events (the last event is
// kept, and its `timeStamp` read when the heartbeat wakes), else one wall-clock read; no timer
// is created or cleared per message. The one timer wakes at the next moment something could be
// due, takes the time of the last message, and re-arms for the remainder when traffic moved that
// moment on. The only other timer operation is one per round: the first reply after a ping moves the
// timer from the ping's deadline to the next ping, when the deadline is the later of the two.
import { type Clock, type SocketMessageEvent, Timer } from './environment.js';

/**
 * A timer that fires this much later than it was due means the page did not run for a while:
 * the machine slept or the page was frozen. (Hidden tabs delay timers by up to 1 s.)
 */
export const WAKE_LATENESS = 2_000;

/** How old the first message's event stamp may be, against the clock, to be trusted (see #checkStamp). */
const EVENT_STAMP_TRUST = 1_000;

/** What the heartbeat asks of the connection it watches. */
export interface HeartbeatHost {
  /** Send the ping text now. It may throw: a socket that cannot send is dead, and the ping's deadline says so. */
  sendPing(): void;
  /** No reply within `timeout` of a ping: the line is dead. */
  lineDead(): void;
}

export class Heartbeat {
  #interval = 0;
  #timeout = 0;
  #running = false;
  readonly #timer: Timer;
  /** When the timer was due, to tell a late timer (a wake-up) from a punctual one. */
  #timerDueAt = 0;

  /** Monotonic time of the last inbound message, brought up to date by #syncInbound. */
  #lastInboundAt = 0;
  /**
   * Wall time of the last inbound message: the one clock read per message. Date.now() costs a
   * third of performance.now() in Chromium, and this is the hot path.
   */
  #lastInboundWall = 0;
  #syncedInboundWall = 0;
  /**
   * The last inbound event not yet read, when events carry their own stamp (`clock.eventTime`).
   * Keeping it holds its data until the heartbeat next wakes (at most `interval`), or the next
   * message replaces it.
   */
  #lastEvent: SocketMessageEvent | undefined;
  /** The events' stamps are on the clock's scale: checked on the first message of each socket. */
  #byEventTime = false;
  #checkEventTime = false;
  #lastPingAt = 0;
  /** Set while a ping waits for its first inbound reply. */
  #pingSentAt: number | undefined;
  /** The ping in flight was a second chance given after a wake-up (see #check). */
  #pingIsWakeProbe = false;
  /** Wall clock minus monotonic clock, as of the last arm: it grows by any sleep. */
  #wallOffset = 0;
  #heard = false;

  readonly #clock: Clock;
  readonly #host: HeartbeatHost;

  constructor(clock: Clock, host: HeartbeatHost) {
    this.#clock = clock;
    this.#host = host;
    this.#timer = new Timer(clock);
  }

  /** Any message arrived since `start()`: part of what makes a connection healthy. */
  get heard(): boolean {
    return this.#heard;
  }

  /** A ping waits for its reply. */
  get pingInFlight(): boolean {
    return this.#pingSentAt !== undefined;
  }

  /** A socket opened: the quiet interval starts now. `interval` 0 turns the heartbeat off. */
  start(interval: number, timeout: number): void {
    this.stop();
    this.#interval = interval;
    this.#timeout = timeout;
    this.#running = true;
    const now = this.#clock.now();
    this.#lastInboundAt = now;
    this.#lastInboundWall = this.#syncedInboundWall = this.#wallNow();
    this.#lastEvent = undefined;
    this.#byEventTime = false;
    this.#checkEventTime = this.#clock.eventTime !== undefined;
    this.#heard = false;
    this.#lastPingAt = 0;
    this.#arm(now);
  }

  /** The socket is gone: no timer, no ping in flight. */
  stop(): void {
    this.#running = false;
    this.#pingSentAt = undefined;
    this.#lastEvent = undefined;
    this.#timer.clear();
  }

  /** New settings take effect at once, without a new socket. */
  configure(interval: number, timeout: number): void {
    if (interval === this.#interval && timeout === this.#timeout) return;
    this.#interval = interval;
    this.#timeout = timeout;
    if (!this.#running) return;
    this.#arm(this.#clock.now());
  }

  /**
   * An inbound message arrived: the hot path. Returns the round trip of the ping it answers when
   * it is the first message after a ping, else -1. Without `event`, the clock stamps it.
   */
  inbound(event?: SocketMessageEvent): number {
    if (event !== undefined && (this.#byEventTime || (this.#checkEventTime && this.#checkStamp(event)))) this.#lastEvent = event;
    else this.#lastInboundWall = this.#wallNow();
    this.#heard = true;
    if (this.#pingSentAt === undefined) return -1;
    const now = this.#clock.now();
    const latency = Math.round(now - this.#pingSentAt);
    this.#pingSentAt = undefined;
    this.#pingIsWakeProbe = false;
    // The timer waits for the ping's deadline; the next ping is due `interval` after this
    // reply. When the deadline is later (timeout > interval), move the timer (issue 8 §1a).
    this.#lastInboundAt = now;
    this.#syncedInboundWall = this.#lastInboundWall;
    this.#lastEvent = undefined;
    if (this.#timerDueAt > now + this.#interval) this.#arm(now);
    return latency;
  }

  /**
   * Pings now, with a fresh deadline, unless a ping is already in flight: for moments when the
   * socket may have died unseen (offline, back from hidden, resumed). Needs the heartbeat on.
   */
  probe(): void {
    if (!this.#running || this.#interval <= 0 || this.#pingSentAt !== undefined) return;
    const now = this.#clock.now();
    this.#sendPing(now);
    this.#arm(now);
  }

  /** Back from hidden, frozen or cached: a socket quiet for `interval` may have died meanwhile. */
  probeIfStale(): void {
    if (!this.#running) return;
    const now = this.#clock.now();
    this.#syncInbound(now);
    if (now - this.#lastInboundAt + this.#sleptFor(now) >= this.#interval) this.probe();
  }

  /**
   * Moves #lastInboundAt to the latest message, mapping its wall time to monotonic time with the
   * offset taken at the last arm, kept between the old value and now: a wall-clock step can at
   * worst make one message look older (an early ping), never stall the heartbeat.
   */
  #syncInbound(now: number): void {
    const event = this.#lastEvent;
    if (event !== undefined) {
      this.#lastEvent = undefined;
      const at = this.#clock.eventTime!(event);
      // Kept between the old value and now, like a wall stamp below.
      if (at !== undefined && at === at) this.#lastInboundAt = Math.min(now, Math.max(this.#lastInboundAt, at));
    }
    if (this.#lastInboundWall === this.#syncedInboundWall) return;
    this.#syncedInboundWall = this.#lastInboundWall;
    let at = this.#lastInboundWall - this.#wallOffset;
    // In the future: the wall clock jumped forward (a step, or a sleep) before that message, so
    // today's offset maps it.
    if (at > now) at = this.#lastInboundWall - (this.#wallNow() - now);
    this.#lastInboundAt = Math.min(now, Math.max(this.#lastInboundAt, at));
  }

  /**
   * The first message of a socket says whether its event's stamp can stand in for the clock: a
   * stamp that is on the clock's scale is at most now, and not long before (a busy page delays
   * dispatch, which only costs this check). An engine stamping in epoch ms, or not at all, as
   * `ws` does, keeps the clock read per message.
   */
  #checkStamp(event: SocketMessageEvent): boolean {
    this.#checkEventTime = false;
    const at = this.#clock.eventTime!(event);
    const now = this.#clock.now();
    // 1 ms over now: Firefox coarsens both clocks, not necessarily the same way.
    return (this.#byEventTime = typeof at === 'number' && at <= now + 1 && at >= now - EVENT_STAMP_TRUST);
  }

  /** When the heartbeat next needs attention: a ping's deadline, or the end of the quiet interval. */
  #due(): number {
    if (this.#pingSentAt !== undefined && this.#timeout > 0) return this.#pingSentAt + this.#timeout;
    return Math.max(this.#lastInboundAt, this.#lastPingAt) + this.#interval;
  }

  /** How much the wall clock moved on beyond the monotonic one since `#wallOffset` was taken. */
  #sleptFor(now: number): number {
    return Math.max(0, this.#wallNow() - now - this.#wallOffset);
  }

  #wallNow(): number {
    return this.#clock.wallNow ? this.#clock.wallNow() : this.#clock.now();
  }

  #arm(now: number): void {
    if (this.#interval <= 0) return;
    this.#syncInbound(now);
    this.#wallOffset = this.#wallNow() - now;
    const due = this.#due();
    this.#timerDueAt = Math.max(due, now);
    this.#timer.set(() => this.#check(), due - now);
  }

  #check(): void {
    const now = this.#clock.now();
    this.#syncInbound(now);
    if (now >= this.#due()) {
      if (this.#pingSentAt !== undefined && this.#timeout > 0) {
        // Deadlines are judged by the clock, but a timer that fires long after it was due means
        // this page did not run (sleep, freeze): the reply may be waiting in the socket right
        // now. Give the line one fresh probe and a fresh timeout instead of killing it.
        // (socket.io #5135 and react-use-websocket #269 killed healthy sockets on wake-up.)
        const lateness = now - this.#timerDueAt + this.#sleptFor(now);
        if (lateness > WAKE_LATENESS && !this.#pingIsWakeProbe) {
          this.#sendPing(now, true);
          this.#arm(now);
          return;
        }
        this.stop();
        this.#host.lineDead();
        return;
      }
      this.#sendPing(now);
    }
    this.#arm(now);
  }

  #sendPing(now: number, wakeProbe = false): void {
    this.#pingIsWakeProbe = wakeProbe;
    this.#lastPingAt = this.#pingSentAt = now;
    try {
      this.#host.sendPing();
    } catch {
      // The deadline judges the line, not the throw.
    }
  }
}
