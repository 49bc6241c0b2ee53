import { HeartbeatConnection } from '../core/connection.js';
import type { CloseDetail, ErrorDetail } from '../core/events.js';
import { DEFAULTS, type HeartbeatOptions } from '../core/options.js';
import { ConnectionStatus } from '../core/status.js';
import type { GroupAddress, ShareLink } from './link.js';
import { ForwardingTarget, MemberSet, type MemberEntry, type ShareMember } from './member-set.js';
import { Outbox, SendSequencer } from './outbox.js';
import { toPayload } from './payload.js';

/**
 * A new holder waits this long before it opens its socket when another page held it before: the
 * old holder closed its socket (1000) on pagehide/freeze before it let the lock go, and its close
 * handshake (a few ms on a LAN) must reach the server first, so the server never holds two.
 * A crashed holder's socket is ended by its operating system at once.
 */
export const TAKEOVER_GAP = 100;

/** The reason a page's members and the other pages read when the holder went away. */
const HOLDER_GONE = 'the page holding the socket went away';

/** Messages on the group's BroadcastChannel. `term` orders holders: a stale holder's news is ignored. */
type ChannelMessage =
  | { k: 'hello'; from: string }
  | { k: 'bye'; from: string }
  | { k: 'status'; term: number; status: ConnectionStatus; url: string }
  /** The holder's answer to a `hello`: the status as news to a page that just joined. */
  | { k: 'state'; term: number; status: ConnectionStatus; url: string }
  | { k: 'event'; term: number; type: string; detail: unknown }
  | { k: 'send'; from: string; seq: number; first: number; member: number; data: unknown }
  | { k: 'ack'; to: string; seq: number }
  | { k: 'error'; to: string; member: number; detail: unknown }
  | { k: 'reconnect'; from: string };

interface LocalEntry {
  id: number;
  entry: MemberEntry;
}

/**
 * `share="tabs"`: one page of the origin holds the socket (it holds a Web Lock named after the
 * group), the others reach it over a BroadcastChannel of the same name. This object is one
 * page's part of the group: its elements, its outbox, and the connection while it holds the lock.
 */
export class TabsHub {
  readonly members = new MemberSet();
  readonly #address: GroupAddress;
  readonly #name: string;
  readonly #onEmpty: () => void;
  readonly #pageId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  readonly #channel: BroadcastChannel;
  readonly #outbox = new Outbox(DEFAULTS.queueLimit);
  readonly #sequencer = new SendSequencer();
  readonly #locals: LocalEntry[] = [];
  #nextMemberId = 1;

  /** The holder's term that this page follows (0: none heard of yet). */
  #term = 0;
  /** The holder's status as last heard: sends are posted to it only while it is open. */
  #holderStatus: ConnectionStatus | undefined;
  #openUrl = '';
  #connection: HeartbeatConnection | undefined;
  #startTimer: ReturnType<typeof setTimeout> | undefined;
  #releaseLock: (() => void) | undefined;
  #lockRequest: AbortController | undefined;
  /** The page is hidden into the back/forward cache, or frozen: it neither holds nor waits for the lock. */
  #away = false;
  #disposed = false;
  /** While the holder closes its connection to hand over: those events are not the group's. */
  #resigning = false;
  /** While settings are applied: a bad setting was already reported by the element's own connection. */
  #configuring = false;
  /** Who made the call that is running on the connection: its errors go back to it alone. */
  #caller: { page: string; member: number } | undefined;

  constructor(address: GroupAddress, onEmpty: () => void) {
    this.#address = address;
    this.#name = `heartbeat-socket ${address.key}`;
    this.#onEmpty = onEmpty;
    this.members.setStatus(ConnectionStatus.Connecting);
    this.#channel = new BroadcastChannel(this.#name);
    this.#channel.onmessage = (event: MessageEvent) => this.#onMessage(event.data as ChannelMessage);
    addEventListener('pagehide', this.#onAway);
    addEventListener('pageshow', this.#onBack);
    document.addEventListener('freeze', this.#onAway);
    document.addEventListener('resume', this.#onBack);
    this.#requestLock();
    this.#post({ k: 'hello', from: this.#pageId });
  }

  /** Whether this page holds the socket now. */
  get holding(): boolean {
    return this.#connection !== undefined;
  }

  join(member: ShareMember): ShareLink {
    const local = { id: this.#nextMemberId++, entry: this.members.add(member) };
    this.#locals.push(local);
    if (this.#locals.length === 1) this.#outbox.limit = this.#queueLimit();
    if (this.members.status === ConnectionStatus.Open) {
      member.target.dispatchEvent(new CustomEvent('open', { detail: { url: this.#openUrl } }));
    }
    const entry = local.entry;
    const queued = () => (entry.left ? 0 : this.#outbox.size);
    const holding = () => !entry.left && this.holding;
    return {
      get status() {
        return entry.status;
      },
      get queuedCount() {
        return queued();
      },
      get holding() {
        return holding();
      },
      send: (data) => this.#send(local, data),
      reconnect: () => {
        if (this.#connection) this.#connection.reconnect();
        else this.#post({ k: 'reconnect', from: this.#pageId });
      },
      configure: () => {
        if (this.#locals[0] !== local) return;
        this.#outbox.limit = this.#queueLimit();
        this.#applySettings();
      },
      clearQueue: () => (entry.left ? 0 : this.#outbox.clear()),
      leave: (code, reason) => this.#leave(local, code, reason),
    };
  }

  // ---- members -----------------------------------------------------------------------------

  #send(local: LocalEntry, data: unknown): boolean {
    const target = local.entry.member.target;
    const refuse = (detail: ErrorDetail): false => {
      target.dispatchEvent(new CustomEvent('error', { detail }));
      return false;
    };
    const status = this.members.status;
    if (status === ConnectionStatus.Closed || status === ConnectionStatus.Failed) {
      return refuse({ code: 'not-connected', message: `send(): ${status}; reconnect() first`, data });
    }
    const converted = toPayload(data, this.#ruler()?.settings().format);
    if ('error' in converted) return refuse(converted.error);
    const item = this.#outbox.push(local.id, converted.payload);
    if (!item) {
      return refuse({ code: 'queue-full', message: `send(): queue full (${this.#outbox.limit})`, data });
    }
    if (this.#connection) this.#writeOwnOutbox();
    else if (this.#holderStatus === ConnectionStatus.Open) this.#postSend(item.seq, item.member, item.payload);
    return true;
  }

  #leave(local: LocalEntry, code: number, reason: string): void {
    if (local.entry.left) return;
    const index = this.#locals.indexOf(local);
    this.#locals.splice(index, 1);
    this.members.remove(local.entry, { code, reason });
    if (this.#locals.length === 0) this.#dispose();
    else if (index === 0) {
      this.#outbox.limit = this.#queueLimit();
      this.#applySettings();
    }
  }

  #ruler(): ShareMember | undefined {
    return this.#locals[0]?.entry.member;
  }

  #queueLimit(): number {
    const limit = Number(this.#ruler()?.settings().queueLimit);
    return Number.isInteger(limit) && limit >= 0 ? limit : DEFAULTS.queueLimit;
  }

  #dispose(): void {
    this.#disposed = true;
    this.#resign('no element left', false);
    this.#lockRequest?.abort();
    this.#lockRequest = undefined;
    this.#post({ k: 'bye', from: this.#pageId });
    this.#channel.close();
    removeEventListener('pagehide', this.#onAway);
    removeEventListener('pageshow', this.#onBack);
    document.removeEventListener('freeze', this.#onAway);
    document.removeEventListener('resume', this.#onBack);
    this.#onEmpty();
  }

  // ---- leadership --------------------------------------------------------------------------

  #requestLock(): void {
    if (this.#disposed || this.#away || this.#lockRequest) return;
    const request = new AbortController();
    this.#lockRequest = request;
    navigator.locks
      .request(this.#name, { signal: request.signal }, () => {
        if (this.#disposed || this.#away || this.#lockRequest !== request) return undefined;
        return new Promise<void>((release) => {
          this.#releaseLock = release;
          this.#lead();
        });
      })
      .catch(() => undefined) // aborted: the page went away or left the group
      .finally(() => {
        if (this.#lockRequest === request) this.#lockRequest = undefined;
      });
  }

  #lead(): void {
    const hadHolder = this.#term !== 0;
    this.#term = Math.max(this.#term + 1, Date.now());
    this.#noticeHolderLoss(hadHolder);
    this.#holderStatus = undefined;
    const connection = new HeartbeatConnection(
      {},
      {
        eventTarget: new ForwardingTarget((event) => this.#receive(event)),
        onStatusChange: (status) => this.#onHolderStatus(status),
      },
    );
    this.#connection = connection;
    this.#applySettings();
    this.#post({ k: 'status', term: this.#term, status: this.members.status, url: '' });
    if (hadHolder) {
      this.#startTimer = setTimeout(() => {
        this.#startTimer = undefined;
        if (this.#connection === connection) connection.start();
      }, TAKEOVER_GAP);
    } else {
      connection.start();
    }
  }

  /**
   * Closes this page's socket (1000) and lets the lock go, in that order, so the next holder's
   * socket never meets this one at the server. The other pages see `close` (willReconnect) and
   * `reconnecting` until the next holder reports.
   */
  #resign(reason: string, showHere: boolean): void {
    clearTimeout(this.#startTimer);
    this.#startTimer = undefined;
    const connection = this.#connection;
    if (!connection) return;
    const wasOpen = connection.status === ConnectionStatus.Open;
    this.#resigning = true;
    try {
      connection.close(1000, reason);
    } finally {
      this.#resigning = false;
    }
    this.#connection = undefined;
    this.#holderStatus = ConnectionStatus.Reconnecting;
    const close: CloseDetail = { code: 1000, reason: HOLDER_GONE, wasClean: wasOpen, willReconnect: true };
    this.#post({ k: 'status', term: this.#term, status: ConnectionStatus.Reconnecting, url: '' });
    if (wasOpen) this.#post({ k: 'event', term: this.#term, type: 'close', detail: close });
    if (showHere) {
      this.members.setStatus(ConnectionStatus.Reconnecting);
      if (wasOpen) this.members.dispatch('close', close);
    }
    const release = this.#releaseLock;
    this.#releaseLock = undefined;
    release?.();
  }

  /** A new holder's term began: if the last one vanished without a word (a crash), say so here. */
  #noticeHolderLoss(hadHolder: boolean): void {
    if (!hadHolder) return;
    const status = this.members.status;
    if (status !== ConnectionStatus.Open && status !== ConnectionStatus.Connecting) return;
    this.members.setStatus(ConnectionStatus.Reconnecting);
    if (status === ConnectionStatus.Open) {
      this.members.dispatch('close', { code: 1006, reason: HOLDER_GONE, wasClean: false, willReconnect: true } satisfies CloseDetail);
    }
  }

  #applySettings(): void {
    const ruler = this.#ruler();
    if (!this.#connection || !ruler) return;
    const options = { ...ruler.settings(), url: this.#address.url, protocols: this.#address.protocols };
    this.#configuring = true;
    try {
      this.#connection.configure(options as HeartbeatOptions);
    } finally {
      this.#configuring = false;
    }
  }

  // ---- the holder's connection -------------------------------------------------------------

  #onHolderStatus(status: ConnectionStatus): void {
    if (this.#resigning) return;
    this.#holderStatus = status;
    this.members.setStatus(status);
    this.#post({ k: 'status', term: this.#term, status, url: this.#connection?.url ?? '' });
    if (status === ConnectionStatus.Open) this.#writeOwnOutbox();
  }

  #receive(event: Event): void {
    if (this.#resigning || event.type === 'status-change') return;
    if (this.#configuring && event.type === 'error') return;
    const detail = (event as CustomEvent).detail as unknown;
    const caller = this.#caller;
    if (event.type === 'error' && caller) {
      if (caller.page === this.#pageId) this.#localById(caller.member)?.entry.member.target.dispatchEvent(event);
      else this.#post({ k: 'error', to: caller.page, member: caller.member, detail });
      return;
    }
    if (event.type === 'open') this.#openUrl = (detail as { url: string }).url;
    this.members.forward(event);
    this.#post({ k: 'event', term: this.#term, type: event.type, detail });
  }

  /** The holder writes its own page's sends straight to its socket, in order. */
  #writeOwnOutbox(): void {
    const connection = this.#connection;
    while (connection && connection === this.#connection && connection.status === ConnectionStatus.Open && this.#outbox.size > 0) {
      const item = this.#outbox.items[0]!;
      this.#caller = { page: this.#pageId, member: item.member };
      try {
        connection.send(item.payload);
      } finally {
        this.#caller = undefined;
      }
      this.#outbox.ack(item.seq);
    }
  }

  #takeRemoteSend(message: Extract<ChannelMessage, { k: 'send' }>): void {
    const connection = this.#connection;
    // Not open: the sender keeps it and posts it again when this page reports `open`.
    if (!connection || connection.status !== ConnectionStatus.Open) return;
    const verdict = this.#sequencer.judge(message.from, message.seq, message.first);
    if (verdict === 'gap') return;
    if (verdict === 'take') {
      this.#caller = { page: message.from, member: message.member };
      try {
        connection.send(message.data);
      } finally {
        this.#caller = undefined;
      }
      this.#sequencer.taken(message.from, message.seq);
    }
    this.#post({ k: 'ack', to: message.from, seq: message.seq });
  }

  // ---- the channel -------------------------------------------------------------------------

  #onMessage(message: ChannelMessage): void {
    if (this.#disposed || this.#away) return;
    switch (message.k) {
      case 'hello':
        if (this.#connection) {
          this.#post({ k: 'state', term: this.#term, status: this.members.status, url: this.#connection.url });
        }
        return;
      case 'bye':
        this.#sequencer.forget(message.from);
        return;
      case 'status':
      case 'state': {
        if (!this.#follow(message.term)) return;
        const wasOpen = this.members.status === ConnectionStatus.Open;
        this.#holderStatus = message.status;
        if (message.url) this.#openUrl = message.url;
        this.members.setStatus(message.status);
        if (message.status !== ConnectionStatus.Open) return;
        // A page that joins an open group learns it is ready, as it would from its own socket.
        if (message.k === 'state' && !wasOpen) this.members.dispatch('open', { url: this.#openUrl });
        this.#postOutbox();
        return;
      }
      case 'event':
        if (!this.#follow(message.term)) return;
        if (message.type === 'open') this.#openUrl = (message.detail as { url: string }).url;
        this.members.dispatch(message.type, message.detail);
        return;
      case 'send':
        this.#takeRemoteSend(message);
        return;
      case 'ack':
        if (message.to === this.#pageId) this.#outbox.ack(message.seq);
        return;
      case 'error':
        if (message.to === this.#pageId) {
          this.#localById(message.member)?.entry.member.target.dispatchEvent(new CustomEvent('error', { detail: message.detail }));
        }
        return;
      case 'reconnect':
        this.#connection?.reconnect();
        return;
    }
  }

  /** News of a holder: false when it is from an older term (a holder that has since gone). */
  #follow(term: number): boolean {
    if (this.#connection || term < this.#term) return false;
    if (term > this.#term) {
      const hadHolder = this.#term !== 0;
      this.#term = term;
      this.#noticeHolderLoss(hadHolder);
    }
    return true;
  }

  /** Every send not yet acknowledged, in order, to a holder that just reported `open`. */
  #postOutbox(): void {
    for (const item of this.#outbox.items) this.#postSend(item.seq, item.member, item.payload);
  }

  #postSend(seq: number, member: number, data: unknown): void {
    this.#post({ k: 'send', from: this.#pageId, seq, first: this.#outbox.first, member, data });
  }

  #post(message: ChannelMessage): void {
    if (this.#disposed && message.k !== 'bye' && message.k !== 'status' && message.k !== 'event') return;
    try {
      this.#channel.postMessage(message);
    } catch {
      // An error's `cause` (an Event, an Error with odd fields) may not be cloneable: send its text.
      if (message.k !== 'event' && message.k !== 'error') return;
      const detail = { ...(message.detail as Record<string, unknown>) };
      if ('cause' in detail) detail.cause = String(detail.cause);
      try {
        this.#channel.postMessage({ ...message, detail });
      } catch {
        // Not cloneable even so: the other pages miss this one event rather than the page throwing.
      }
    }
  }

  #localById(id: number): LocalEntry | undefined {
    return this.#locals.find((local) => local.id === id);
  }

  // ---- the page's lifecycle ----------------------------------------------------------------

  /** pagehide (closed, navigated, cached) or freeze: hand the socket over and stop competing for it. */
  #onAway = (): void => {
    if (this.#away) return;
    this.#away = true;
    this.#lockRequest?.abort();
    this.#lockRequest = undefined;
    this.#resign(HOLDER_GONE, true);
  };

  /** Back from the back/forward cache or a freeze: follow the holder again and be a candidate. */
  #onBack = (): void => {
    if (!this.#away || this.#disposed) return;
    this.#away = false;
    this.#requestLock();
    this.#post({ k: 'hello', from: this.#pageId });
  };
}
