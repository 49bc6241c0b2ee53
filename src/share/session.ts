// The element's side of sharing. The element loads this (and all of src/share/) with import()
// the first time it shares, so pages that never share do not download it.
import type { ErrorCode, ErrorDetail } from '../core/events.js';
import { ConnectionStatus } from '../core/status.js';
import { parseProtocols, resolveSocketUrl } from '../core/url.js';
import type { GroupAddress, ShareLink } from './link.js';
import { joinShare, tabsSupported } from './registry.js';

/** `none`: an own socket; `page`: one socket per document and url; `tabs`: one per origin and url. */
export type ShareMode = 'none' | 'page' | 'tabs';

/** The element, as its share session sees it. */
export interface ShareHost {
  readonly element: HTMLElement & {
    share?: unknown;
    url?: string;
    protocols?: string | string[];
    readonly connection: { readonly status: ConnectionStatus; close(code?: number, reason?: string): void };
  };
  /** The names of the element's settings (core options), read from it as properties. */
  readonly settingNames: readonly string[];
  reflect(status: ConnectionStatus, previous: ConnectionStatus): void;
  /** Sharing is off or impossible: the element goes on with a socket of its own and these sends. */
  unshare(waitingSends: unknown[]): void;
}

/** What the element held while this code loaded: the sends made meanwhile, and `closed` if close() came first. */
export interface PendingShare {
  status: ConnectionStatus;
  sends: unknown[];
}

/** Elements already told why they cannot share (the error is said once). */
const told = new WeakSet<object>();

/** The group for a url and protocols: undefined when the url is unusable (the own socket reports that). */
export function groupAddress(url: string, protocols: string | readonly string[] | undefined, base: string | undefined): GroupAddress | undefined {
  let resolved: string;
  try {
    resolved = resolveSocketUrl(url, base);
  } catch {
    return undefined;
  }
  const list = parseProtocols(protocols);
  return { key: `${resolved}\n${list.join(',')}`, url: resolved, protocols: list };
}

/**
 * One element's membership of a sharing group, across loading the sharing code, leaving (by
 * `close()` or removal) and moving to another group (a new url). While the code loads, the
 * element is `idle` and its sends wait here, in order.
 */
export class ShareSession {
  readonly #host: ShareHost;
  #link: ShareLink | undefined;
  #wanted: { mode: 'page' | 'tabs'; address: GroupAddress } | undefined;
  #key = '';
  #detached = false;
  #waitingSends: unknown[] = [];
  /** What the element shows when it has no link: idle before joining, closed after leaving. */
  #status: ConnectionStatus = ConnectionStatus.Idle;

  constructor(host: ShareHost, pending: PendingShare) {
    this.#host = host;
    this.#waitingSends = pending.sends;
    if (pending.status === ConnectionStatus.Closed) {
      // close() (or removal) came while this code loaded: the element shows it now.
      this.#detached = true;
      this.#status = ConnectionStatus.Closed;
      host.reflect(ConnectionStatus.Closed, ConnectionStatus.Idle);
      host.element.dispatchEvent(new CustomEvent('status-change', { detail: { status: ConnectionStatus.Closed, previous: ConnectionStatus.Idle } }));
    }
  }

  /**
   * Brings the membership in line with the element: its `share`, `url` and `protocols`, and
   * whether it is in a document. `restart`: join again even if detached (a new url, re-insertion).
   */
  sync(restart: boolean): void {
    const element = this.#host.element;
    if (!element.isConnected) return;
    const value = element.share == null ? 'none' : String(element.share).trim();
    let why = '';
    if (value !== 'page' && value !== 'tabs' && value !== 'none' && value !== '') why = `share "${value}": expected none, page or tabs`;
    else if (value === 'tabs' && !tabsSupported()) why = 'share="tabs": no Web Locks or BroadcastChannel here; own socket used';
    if (why && !told.has(element)) {
      told.add(element);
      const code: ErrorCode = value === 'tabs' ? 'share-unavailable' : 'invalid-option';
      element.dispatchEvent(new CustomEvent('error', { detail: { code, message: why, data: value } }));
    }
    const address = element.url ? groupAddress(element.url, element.protocols, document.baseURI) : undefined;
    if (why || value === 'none' || value === '' || !address) {
      // Not sharing (any more), or an unusable url, which the element's own socket reports.
      const waiting = this.takeWaitingSends();
      if (this.#link) this.#leaveLink(1000, 'left the sharing group');
      this.#wanted = undefined;
      this.#host.unshare(waiting);
      return;
    }
    // Joining from a socket of its own (share set on a running element): that socket ends first.
    const own = element.connection;
    if (own.status === ConnectionStatus.Connecting || own.status === ConnectionStatus.Open || own.status === ConnectionStatus.Reconnecting) {
      own.close(1000, 'joined a sharing group');
    }
    this.update(value as 'page' | 'tabs', address, restart);
  }

  get status(): ConnectionStatus {
    return this.#link?.status ?? this.#status;
  }

  /** Left by `close()` or removal: stays `closed` until `reconnect()`, a new url or re-insertion. */
  get detached(): boolean {
    return this.#detached;
  }

  get queuedCount(): number {
    return this.#link?.queuedCount ?? this.#waitingSends.length;
  }

  get holding(): boolean {
    return this.#link?.holding ?? false;
  }

  /**
   * Joins the group of `mode` and `address`, or moves there from another group. With the same
   * group, passes a change of settings on. A detached element joins again only when `restart`.
   */
  update(mode: 'page' | 'tabs', address: GroupAddress, restart: boolean): void {
    const key = `${mode}\n${address.key}`;
    if (key === this.#key && !restart) {
      if (this.#link) this.#link.configure();
      if (this.#link || this.#detached || this.#wanted) return;
    }
    if (this.#detached && !restart) {
      // Closed on purpose: it stays closed (reconnect(), a new url or re-insertion joins again).
      this.#key = key;
      this.#wanted = { mode, address };
      return;
    }
    if (this.#link) this.#leaveLink(1000, key === this.#key ? 'rejoined' : 'url changed');
    this.#key = key;
    this.#wanted = { mode, address };
    this.#detached = false;
    this.#join();
  }

  send(data: unknown): boolean {
    if (this.#link) return this.#link.send(data);
    if (this.#detached) {
      return this.#refuse({ code: 'not-connected', message: `send(): ${this.#status}; reconnect() first`, data });
    }
    // Only reached before the first join; the group's own queue limit applies from then on.
    this.#waitingSends.push(data);
    return true;
  }

  reconnect(): void {
    if (this.#link) this.#link.reconnect();
    else if (this.#detached && this.#wanted) this.update(this.#wanted.mode, this.#wanted.address, true);
  }

  clearQueue(): number {
    if (this.#link) return this.#link.clearQueue();
    const count = this.#waitingSends.length;
    this.#waitingSends = [];
    return count;
  }

  /** Sends still waiting for the sharing code (none once joined): the element's own socket takes them. */
  takeWaitingSends(): unknown[] {
    const waiting = this.#waitingSends;
    this.#waitingSends = [];
    return waiting;
  }

  /** The element's close(): detaches it, so it shows `closed`; the group goes on without it. */
  close(code = 1000, reason = ''): void {
    this.#detached = true;
    this.#waitingSends = [];
    if (this.#link) {
      this.#leaveLink(code, reason);
    } else if (this.#status !== ConnectionStatus.Closed) {
      const previous = this.#status;
      this.#status = ConnectionStatus.Closed;
      this.#host.reflect(ConnectionStatus.Closed, previous);
      this.#host.element.dispatchEvent(new CustomEvent('status-change', { detail: { status: ConnectionStatus.Closed, previous } }));
    }
  }

  #leaveLink(code: number, reason: string): void {
    const link = this.#link!;
    this.#link = undefined;
    link.leave(code, reason);
    this.#status = link.status;
  }

  #join(): void {
    const wanted = this.#wanted;
    if (!wanted || this.#detached || this.#link) return;
    const link = joinShare(wanted.mode, wanted.address, {
      target: this.#host.element,
      settings: () => {
        const settings: Record<string, unknown> = {};
        for (const name of this.#host.settingNames) settings[name] = (this.#host.element as unknown as Record<string, unknown>)[name];
        return settings;
      },
      reflect: (status, previous) => this.#host.reflect(status, previous),
    });
    this.#link = link;
    const waiting = this.#waitingSends;
    this.#waitingSends = [];
    for (const data of waiting) link.send(data);
  }

  #refuse(detail: ErrorDetail): false {
    this.#host.element.dispatchEvent(new CustomEvent('error', { detail }));
    return false;
  }
}
