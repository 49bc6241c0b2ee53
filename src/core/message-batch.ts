import type { Clock, TimerHandle } from './connection.js';

/**
 * `'none'`: one `message` event per message. `'frame'`: the messages that arrive before the next
 * animation frame go out as one `messages` event (in a hidden page, where frames stop, after a
 * task instead). A number: the messages of a window of that many ms (from the first of them) go
 * out together; 0 = after a task.
 */
export type BatchMode = 'none' | 'frame' | number;

/** Schedules one callback before the next paint: `requestAnimationFrame` in a browser. */
export interface FrameScheduler {
  request(callback: () => void): unknown;
  cancel(handle: unknown): void;
}

/** Looks the globals up at each call, so fake timers installed later still take effect. */
export const animationFrames: FrameScheduler = {
  request: (callback) => globalThis.requestAnimationFrame(callback),
  cancel: (handle) => globalThis.cancelAnimationFrame(handle as number),
};

export interface BatchEnvironment {
  clock: Clock;
  /** `null` (or no `requestAnimationFrame`, as in Node) makes `frame` fall back to a task. */
  frames: FrameScheduler | null;
  /** Where `visibilitychange` fires and `visibilityState` is read; `null` outside a page. */
  document: (EventTarget & { visibilityState?: string }) | null;
}

/**
 * Collects inbound messages and hands them over as one array per frame (or window). Per message
 * it costs one array push; the frame (or timer) is requested once per batch, not per message.
 * Nothing is ever held back past `flush()`: the connection flushes before any other event it
 * dispatches, so a batch never arrives after the `close` of its socket.
 */
export class MessageBatch {
  #items: unknown[] = [];
  #frame: unknown;
  #timer: TimerHandle | undefined;
  #watchingVisibility = false;
  readonly #onVisibilityChange = (): void => {
    // Frames stop in a hidden page: what waits for one goes after a task instead.
    if (this.#frame !== undefined && this.#env.document?.visibilityState === 'hidden') {
      this.#cancel();
      this.#timer = this.#env.clock.setTimeout(this.#fire, 0);
    }
  };
  readonly #fire = (): void => {
    this.#frame = this.#timer = undefined;
    this.flush();
  };

  readonly mode: Exclude<BatchMode, 'none'>;
  readonly #deliver: (items: unknown[]) => void;
  readonly #env: BatchEnvironment;

  constructor(mode: Exclude<BatchMode, 'none'>, deliver: (items: unknown[]) => void, env: BatchEnvironment) {
    this.mode = mode;
    this.#deliver = deliver;
    this.#env = env;
  }

  /** Messages waiting for the next delivery. */
  get size(): number {
    return this.#items.length;
  }

  push(data: unknown): void {
    if (this.#items.push(data) === 1) this.#schedule();
  }

  /** Delivers what is waiting now, if anything, and cancels the scheduled delivery. */
  flush(): void {
    this.#cancel();
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.#deliver(items);
  }

  #schedule(): void {
    const { frames, document, clock } = this.#env;
    if (this.mode === 'frame' && frames && document?.visibilityState !== 'hidden') {
      this.#frame = frames.request(this.#fire);
      if (document) {
        document.addEventListener('visibilitychange', this.#onVisibilityChange);
        this.#watchingVisibility = true;
      }
      return;
    }
    this.#timer = clock.setTimeout(this.#fire, this.mode === 'frame' ? 0 : this.mode);
  }

  #cancel(): void {
    if (this.#frame !== undefined) this.#env.frames?.cancel(this.#frame);
    if (this.#timer !== undefined) this.#env.clock.clearTimeout(this.#timer);
    this.#frame = this.#timer = undefined;
    if (this.#watchingVisibility) {
      this.#env.document?.removeEventListener('visibilitychange', this.#onVisibilityChange);
      this.#watchingVisibility = false;
    }
  }
}
