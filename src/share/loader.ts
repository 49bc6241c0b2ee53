// Part of the element's own module: everything else in src/share/ is loaded with import() the
// first time an element shares, so pages that never share do not download it.
import type { ErrorDetail } from '../core/events.js';
import { ConnectionStatus } from '../core/status.js';
import { parseProtocols, resolveSocketUrl } from '../core/url.js';
import type { GroupAddress, ShareLink } from './link.js';

/** `none`: an own socket; `page`: one socket per document and url; `tabs`: one per origin and url. */
export type ShareMode = 'none' | 'page' | 'tabs';

type SharingModule = typeof import('./index.js');

let loaded: SharingModule | undefined;
let loading: Promise<SharingModule> | undefined;

function loadSharing(): Promise<SharingModule> {
  loading ??= import('./index.js').then((module) => (loaded = module));
  return loading;
}

/** The element, as its share session sees it. */
export interface ShareHost {
  readonly target: HTMLElement;
  settings(): Record<string, unknown>;
  reflect(status: ConnectionStatus, previous: ConnectionStatus): void;
  /**
   * Sharing in `mode` is impossible here (`why` says why): the host says so once and takes the
   * waiting sends onto a socket of its own.
   */
  unsupported(mode: ShareMode, waitingSends: unknown[], why: string, cause?: unknown): void;
  /** The limit of sends that may wait while the sharing code loads. */
  queueLimit(): number;
}

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

  constructor(host: ShareHost) {
    this.#host = host;
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
    if (this.#link) this.#leaveLink(1000, key === this.#key ? 'rejoined' : 'url changed');
    this.#key = key;
    this.#wanted = { mode, address };
    this.#detached = false;
    if (loaded) this.#join();
    else {
      loadSharing().then(
        () => this.#join(),
        (cause: unknown) => this.#loadFailed(cause),
      );
    }
  }

  send(data: unknown): boolean {
    if (this.#link) return this.#link.send(data);
    if (this.#detached) {
      return this.#refuse({ code: 'not-connected', message: `send(): the connection is ${this.#status}; call reconnect() first`, data });
    }
    if (this.#waitingSends.length >= this.#host.queueLimit()) {
      return this.#refuse({ code: 'queue-full', message: `send(): the queue is full (${this.#host.queueLimit()} messages); message refused`, data });
    }
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

  /** Detaches the element: it shows `closed`; the group goes on without it. */
  leave(code: number, reason: string): void {
    this.#detached = true;
    this.#waitingSends = [];
    if (this.#link) {
      this.#leaveLink(code, reason);
    } else if (this.#status !== ConnectionStatus.Closed) {
      const previous = this.#status;
      this.#status = ConnectionStatus.Closed;
      this.#host.reflect(ConnectionStatus.Closed, previous);
      this.#host.target.dispatchEvent(new CustomEvent('status-change', { detail: { status: ConnectionStatus.Closed, previous } }));
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
    if (!loaded || !wanted || this.#detached || this.#link) return;
    const link = loaded.joinShare(wanted.mode, wanted.address, {
      target: this.#host.target,
      settings: () => this.#host.settings(),
      reflect: (status, previous) => this.#host.reflect(status, previous),
    });
    if (!link) {
      const waiting = this.#waitingSends;
      this.#waitingSends = [];
      this.#wanted = undefined;
      this.#host.unsupported(wanted.mode, waiting, 'this browser lacks Web Locks or BroadcastChannel');
      return;
    }
    this.#link = link;
    const waiting = this.#waitingSends;
    this.#waitingSends = [];
    for (const data of waiting) link.send(data);
  }

  #loadFailed(cause: unknown): void {
    const wanted = this.#wanted;
    if (!wanted || this.#link) return;
    const waiting = this.#waitingSends;
    this.#waitingSends = [];
    this.#wanted = undefined;
    this.#host.unsupported(wanted.mode, waiting, 'the sharing code could not be loaded', cause);
  }

  #refuse(detail: ErrorDetail): false {
    this.#host.target.dispatchEvent(new CustomEvent('error', { detail }));
    return false;
  }
}
