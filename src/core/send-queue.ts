import type { SocketData } from './message-format.js';

export type { SocketData } from './message-format.js';

/**
 * Messages waiting for an open socket, oldest first. Bounded: `push` refuses (returns false)
 * when full, so the caller can say so; nothing is ever dropped silently.
 */
export class SendQueue {
  #items: SocketData[] = [];
  constructor(public limit: number) {}

  get size(): number {
    return this.#items.length;
  }

  push(data: SocketData): boolean {
    if (this.#items.length >= this.limit) return false;
    this.#items.push(data);
    return true;
  }

  /** Removes and returns every queued message, oldest first. */
  takeAll(): SocketData[] {
    const items = this.#items;
    this.#items = [];
    return items;
  }

  /** Puts messages back at the front, in order (those a flush could not send). */
  restore(items: SocketData[]): void {
    this.#items = items.concat(this.#items);
  }

  /**
   * Sends every queued message, oldest first. If `send` throws, the messages after the one that
   * failed stay queued, in order, and the failed one is returned with the cause.
   */
  flush(send: (data: SocketData) => void): { data: SocketData; cause: unknown } | undefined {
    const items = this.takeAll();
    for (let i = 0; i < items.length; i++) {
      try {
        send(items[i]!);
      } catch (cause) {
        this.restore(items.slice(i + 1));
        return { data: items[i]!, cause };
      }
    }
    return undefined;
  }

  clear(): number {
    const count = this.#items.length;
    this.#items = [];
    return count;
  }
}
