/**
 * The send path of `share="tabs"`, both ends. Every page numbers its sends and keeps them until
 * the page holding the socket says it wrote them (an ack): a send posted while no page holds the
 * socket (a takeover) is not lost but posted again when a holder reports `open`.
 */

export interface OutboxItem {
  seq: number;
  /** Which element of the page sent it: a refusal goes back to that element. */
  member: number;
  payload: unknown;
}

/** A page's unacknowledged sends, in order; bounded like the core's queue. */
export class Outbox {
  #items: OutboxItem[] = [];
  #nextSeq = 1;
  limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  get size(): number {
    return this.#items.length;
  }

  /** The lowest sequence number still waiting (what a new holder starts from). */
  get first(): number {
    return this.#items[0]?.seq ?? this.#nextSeq;
  }

  get items(): readonly OutboxItem[] {
    return this.#items;
  }

  /** Adds a send; undefined when the outbox is full. */
  push(member: number, payload: unknown): OutboxItem | undefined {
    if (this.#items.length >= this.limit) return undefined;
    const item = { seq: this.#nextSeq++, member, payload };
    this.#items.push(item);
    return item;
  }

  /** The holder wrote everything up to `seq`. */
  ack(seq: number): void {
    let drop = 0;
    while (drop < this.#items.length && this.#items[drop]!.seq <= seq) drop++;
    if (drop > 0) this.#items.splice(0, drop);
  }

  clear(): number {
    const count = this.#items.length;
    this.#items = [];
    return count;
  }
}

/** What the holder does with a numbered send: write it, ack it again (a repeat), or wait for the gap to fill. */
export type SequenceVerdict = 'take' | 'repeat' | 'gap';

/**
 * The holder's side: per sending page, the last sequence number written. A send is written only
 * in order, so a page's sends keep their order across a takeover however the resends interleave.
 */
export class SendSequencer {
  readonly #lastBySender = new Map<string, number>();

  judge(sender: string, seq: number, firstWaiting: number): SequenceVerdict {
    // A holder that has not heard from this page yet starts where the page's outbox starts.
    const last = this.#lastBySender.get(sender) ?? firstWaiting - 1;
    if (seq <= last) return 'repeat';
    return seq === last + 1 ? 'take' : 'gap';
  }

  taken(sender: string, seq: number): void {
    this.#lastBySender.set(sender, seq);
  }

  forget(sender: string): void {
    this.#lastBySender.delete(sender);
  }
}
