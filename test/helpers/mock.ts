import { Server, WebSocket as MockWebSocket } from 'mock-socket';
import type { Clock, TimerHandle } from '../../src/core/index.js';

export { Server };

/**
 * mock-socket reports a failed handshake (no server, or a rejected client) as a close with code
 * 1000, which would read as "the server said goodbye". Browsers report it as 1006 (abnormal),
 * so this adapter rewrites that one case and keeps every socket it made, for counting.
 */
export class BrowserLikeMockSocket extends MockWebSocket {
  static instances: BrowserLikeMockSocket[] = [];
  // A plain field: mock-socket hands this object around behind a Proxy, where #private fails.
  opened = false;
  closeCalls: Array<{ code: number | undefined; reason: string | undefined }> = [];

  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    BrowserLikeMockSocket.instances.push(this);
  }

  sent: Array<{ data: unknown; at: number }> = [];

  override close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    super.close(code, reason);
  }

  override send(data: string | Blob | ArrayBuffer | ArrayBufferView): void {
    this.sent.push({ data, at: Date.now() });
    super.send(data);
  }

  override dispatchEvent(event: Event, ...rest: unknown[]): boolean {
    if (event.type === 'open') this.opened = true;
    if (event.type === 'close' && !this.opened && (event as CloseEvent).code === 1000) {
      Object.defineProperty(event, 'code', { value: 1006 });
      Object.defineProperty(event, 'wasClean', { value: false });
    }
    return (super.dispatchEvent as (e: Event, ...r: unknown[]) => boolean)(event, ...rest);
  }

  /**
   * Sockets CONNECTING or OPEN: the "one socket at most" rule says this is never above 1. (A
   * CLOSING socket is on its way out and detached; waiting for it would mean waiting on a dead
   * path's close handshake.)
   */
  static live(): number {
    return BrowserLikeMockSocket.instances.filter((s) => s.readyState < 2).length;
  }
}

/** A handshake that never completes: stays CONNECTING, fires nothing, until closed. */
export class StalledSocket {
  static instances: StalledSocket[] = [];
  readyState = 0;
  binaryType: BinaryType = 'blob';
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  closeCalls: Array<{ code: number | undefined; reason: string | undefined }> = [];
  constructor(public url: string) {
    StalledSocket.instances.push(this);
  }
  send(): void {
    throw new Error('still CONNECTING');
  }
  /** Like a browser: an abandoned handshake is CLOSING at once and reports its end (1006) a task later. */
  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    if (this.readyState >= 2) return;
    this.readyState = 2;
    setTimeout(() => {
      this.readyState = 3;
      this.onclose?.({ code: 1006, reason: '', wasClean: false } as CloseEvent);
    }, 0);
  }
}

/** The global clock, with counts of timers set and cleared. */
export function countingClock(): Clock & { set: number; cleared: number } {
  const clock = {
    set: 0,
    cleared: 0,
    now: () => performance.now(),
    wallNow: () => Date.now(),
    setTimeout(callback: () => void, ms: number): TimerHandle {
      clock.set++;
      return globalThis.setTimeout(callback, ms);
    },
    clearTimeout(handle: TimerHandle): void {
      clock.cleared++;
      globalThis.clearTimeout(handle as number);
    },
  };
  return clock;
}

/** Records every event of the given types dispatched on `target`, in order. */
export function recordEvents(
  target: EventTarget,
  types: readonly string[] = ['open', 'message', 'close', 'error', 'status-change', 'retry', 'heartbeat'],
): Array<{ type: string; detail: any; at: number }> {
  const log: Array<{ type: string; detail: any; at: number }> = [];
  for (const type of types) {
    target.addEventListener(type, (event) => log.push({ type, detail: (event as CustomEvent).detail, at: Date.now() }));
  }
  return log;
}
