import type { Clock, PageDocument, TimerHandle } from './environment.js';

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
  request: (callback) => requestAnimationFrame(callback),
  cancel: (handle) => cancelAnimationFrame(handle as number),
};

export interface BatchEnvironment {
  clock: Clock;
  /** `null` (as in Node, where there is no `requestAnimationFrame`) makes `frame` a task. */
  frames: FrameScheduler | null;
  /** Where `visibilitychange` fires and `visibilityState` is read; `null` outside a page. */
  document: PageDocument | null;
}

export interface MessageBatch {
  /** Messages waiting for the next delivery. */
  readonly size: number;
  push(data: unknown): void;
  /** Delivers what is waiting now, if anything, and cancels the scheduled delivery. */
  flush(): void;
}

/**
 * Collects inbound messages and hands them over as one array per frame (or window). Per message
 * it costs one array push; the frame (or timer) is requested once per batch, not per message.
 * Nothing is held back past `flush()`: the connection flushes before any other event it
 * dispatches, so a batch never arrives after the `close` of its socket.
 */
export function createMessageBatch(
  mode: Exclude<BatchMode, 'none'>,
  deliver: (items: unknown[]) => void,
  { clock, frames, document }: BatchEnvironment,
): MessageBatch {
  let items: unknown[] = [];
  let frame: unknown;
  let timer: TimerHandle | undefined;
  const task = (): void => {
    timer = clock.setTimeout(flush, mode === 'frame' ? 0 : mode);
  };
  // Frames stop in a hidden page: what waits for one goes after a task instead. Watched only
  // while a frame is awaited, so a closed connection leaves no listener on the document.
  const onVisibilityChange = (): void => {
    if (document!.visibilityState === 'hidden') {
      cancel();
      task();
    }
  };
  const cancel = (): void => {
    if (frame !== undefined) {
      frames!.cancel(frame);
      document?.removeEventListener('visibilitychange', onVisibilityChange);
    }
    if (timer !== undefined) clock.clearTimeout(timer);
    frame = timer = undefined;
  };
  const flush = (): void => {
    cancel();
    if (items.length === 0) return;
    const batch = items;
    items = [];
    deliver(batch);
  };
  return {
    get size() {
      return items.length;
    },
    push(data) {
      if (items.push(data) > 1) return;
      if (mode === 'frame' && frames && document?.visibilityState !== 'hidden') {
        frame = frames.request(flush);
        document?.addEventListener('visibilitychange', onVisibilityChange);
      } else task();
    },
    flush,
  };
}
