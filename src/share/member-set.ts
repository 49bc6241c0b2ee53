import { ConnectionStatus } from '../core/status.js';
import type { CloseDetail } from '../core/events.js';

/** What a sharing group needs from an element: where its events go, its settings, its status display. */
export interface ShareMember {
  /** Where the member's events are dispatched (the element). */
  readonly target: EventTarget;
  /** The member's own settings, as core options (`url` and `protocols` included). */
  settings(): Record<string, unknown>;
  /** Shows a status (attribute, `:state()`, slots); `status-change` is dispatched by the group. */
  reflect(status: ConnectionStatus, previous: ConnectionStatus): void;
}

/** One element's place in a group. */
export interface MemberEntry {
  readonly member: ShareMember;
  /** The status this member last showed: it can differ from the group's while it joins or leaves. */
  status: ConnectionStatus;
  left: boolean;
}

/**
 * The elements of one sharing group in one document, in the order they joined: the first one's
 * settings rule the shared connection. Every status and event of the connection is fanned out
 * here, generically by type, so a future event (such as `messages`) needs no code of its own.
 */
export class MemberSet {
  /** Replaced, never mutated: a dispatch loop keeps its array while a listener leaves or joins. */
  #entries: readonly MemberEntry[] = [];
  #status: ConnectionStatus = ConnectionStatus.Idle;

  get status(): ConnectionStatus {
    return this.#status;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The member whose settings rule the connection: the earliest that is still here. */
  get ruler(): MemberEntry | undefined {
    return this.#entries[0];
  }

  add(member: ShareMember): MemberEntry {
    const entry: MemberEntry = { member, status: ConnectionStatus.Idle, left: false };
    this.#entries = [...this.#entries, entry];
    this.#show(entry, this.#status);
    return entry;
  }

  /** Takes the member out; its status becomes `closed`, with a `close` event if it was connected. */
  remove(entry: MemberEntry, ending: { code: number; reason: string }): void {
    if (entry.left) return;
    entry.left = true;
    this.#entries = this.#entries.filter((other) => other !== entry);
    const wasActive = entry.status === ConnectionStatus.Open || entry.status === ConnectionStatus.Connecting;
    const wasOpen = entry.status === ConnectionStatus.Open;
    this.#show(entry, ConnectionStatus.Closed);
    if (wasActive) {
      const detail: CloseDetail = { code: ending.code, reason: ending.reason, wasClean: wasOpen, willReconnect: false };
      entry.member.target.dispatchEvent(new CustomEvent('close', { detail }));
    }
  }

  /** The shared connection's status moved: every member shows it and says so. */
  setStatus(next: ConnectionStatus): void {
    this.#status = next;
    const entries = this.#entries;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (!entry.left) this.#show(entry, next);
    }
  }

  /**
   * Dispatches an event of the shared connection on every member: the event itself on the first
   * (it has not been dispatched yet), a new CustomEvent with the same detail on each other one.
   */
  forward(event: Event): void {
    const entries = this.#entries;
    const detail = (event as CustomEvent).detail as unknown;
    let first = true;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (entry.left) continue;
      entry.member.target.dispatchEvent(first ? event : new CustomEvent(event.type, { detail }));
      first = false;
    }
  }

  /** Like `forward`, for an event that arrived as type and detail (from another page). */
  dispatch(type: string, detail: unknown): void {
    const entries = this.#entries;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (!entry.left) entry.member.target.dispatchEvent(new CustomEvent(type, { detail }));
    }
  }

  #show(entry: MemberEntry, next: ConnectionStatus): void {
    const previous = entry.status;
    if (previous === next) return;
    entry.status = next;
    entry.member.reflect(next, previous);
    entry.member.target.dispatchEvent(new CustomEvent('status-change', { detail: { status: next, previous } }));
  }
}

/** An EventTarget that hands every event to one function instead of dispatching it. */
export class ForwardingTarget extends EventTarget {
  readonly #receive: (event: Event) => void;

  constructor(receive: (event: Event) => void) {
    super();
    this.#receive = receive;
  }

  override dispatchEvent(event: Event): boolean {
    this.#receive(event);
    return true;
  }
}
