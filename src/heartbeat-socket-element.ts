// Lit's reactive base class, without its template engine: the shadow root holds only static
// slots. Imported from `@lit/reactive-element`, not `lit`: `lit`'s entry also loads Lit's template
// library (about 3 kB gzip in every app bundle), which creates a Trusted Types policy at load and
// so dies under `require-trusted-types-for 'script'; trusted-types 'none'` (issue 9). `lit`
// depends on this same package, so an app that uses Lit still ships one copy of it.
import { ReactiveElement, css, type PropertyDeclaration, type PropertyValues } from '@lit/reactive-element';
import { HeartbeatConnection, type HeartbeatEnvironment, type WaitingFor } from './core/connection.js';
import type { HeartbeatEventMap } from './core/events.js';
import type { CloseCodeList, HeartbeatOptions, MessageFormat, UrlProvider } from './core/options.js';
import type { BatchMode } from './core/message-batch.js';
import { ConnectionStatus } from './core/status.js';
import type { PendingShare, ShareMode, ShareSession } from './share/index.js';

// Every type the custom-elements manifest names for this element, exported from the module the
// manifest names (dist/heartbeat-socket-element.js), so manifest readers and JSX-type generators
// can import them from there (issue 9). A new property or event type goes here too:
// test/node/package.test.mjs validates the manifest and names what is missing.
export type { WaitingFor } from './core/connection.js';
export type {
  CloseDetail,
  ErrorDetail,
  HeartbeatDetail,
  HeartbeatEventDetails,
  MessageDetail,
  MessagesDetail,
  OpenDetail,
  RetryDetail,
  StatusChangeDetail,
} from './core/events.js';
export type { BatchMode } from './core/message-batch.js';
export type { CloseCodeList, MessageFormat, UrlProvider } from './core/options.js';
export type { ShareMode } from './share/index.js';
export { ConnectionStatus, HeartbeatConnection };

/**
 * Attribute text → number. Anything that is not a plain number is passed on as the original
 * text, so the core can reject it by name ("interval \"abc\"") and use the default.
 */
const numberAttribute: PropertyDeclaration = {
  converter: (value) => {
    if (value === null) return undefined;
    const number = value.trim() === '' ? NaN : Number(value);
    return Number.isNaN(number) ? value : number;
  },
};
// Text as is: Lit's default converter, which needs no `type`.
const textAttribute: PropertyDeclaration = {};

/**
 * The element's settings: each property maps to the core option of the same name, and to the
 * attribute of that name in kebab case (`reconnectMaxDelay` ↔ `reconnect-max-delay`).
 */
const OPTION_PROPERTIES = {
  url: textAttribute,
  interval: numberAttribute,
  timeout: numberAttribute,
  pingMessage: textAttribute,
  pongMessage: textAttribute,
  protocols: textAttribute,
  reconnectDelay: numberAttribute,
  reconnectMaxDelay: numberAttribute,
  maxRetries: numberAttribute,
  connectTimeout: numberAttribute,
  format: textAttribute,
  queueLimit: numberAttribute,
  binaryType: textAttribute,
  urlProvider: { attribute: false },
  // Close codes (issue 8 §2): attribute text like "1008, 4403"; as properties also arrays.
  fatalCloseCodes: textAttribute,
  refreshCloseCodes: textAttribute,
  retryLaterCloseCodes: textAttribute,
  batch: numberAttribute,
} satisfies Record<string, PropertyDeclaration>;

type OptionProperty = keyof typeof OPTION_PROPERTIES;

/**
 * The element's settable properties, for framework typings (React's JSX, Vue's
 * GlobalComponents, Svelte's elements): one list, kept by the compiler in step with the element.
 */
export type HeartbeatSocketSettings = Partial<Pick<HeartbeatSocketElement, OptionProperty | 'share'>>;
const OPTION_NAMES = Object.keys(OPTION_PROPERTIES) as OptionProperty[];

/** What the element calls on its sharing membership (or on the placeholder while that loads). */
type ShareSeat = Pick<ShareSession, 'status' | 'queuedCount' | 'send' | 'close' | 'reconnect' | 'clearQueue'> & { readonly holding?: boolean };

/**
 * `<heartbeat-socket>`: a WebSocket that keeps itself alive and honest. It pings after
 * `interval` ms of inbound silence, declares the connection dead when nothing answers within
 * `timeout` ms, reconnects with capped exponential backoff and jitter, and queues messages sent
 * while down. The work is done by the framework-free `HeartbeatConnection`; this element maps
 * attributes to its options and dispatches its events on itself (they do not bubble).
 *
 * @tag heartbeat-socket
 * @summary A WebSocket with heartbeat, dead-connection detection, reconnect with backoff, and a send queue.
 *
 * @slot - Content shown inside the element in every status (style it by `[status]` or `:state()`).
 * @slot idle - Shown only while the status is `idle`.
 * @slot connecting - Shown only while the status is `connecting`.
 * @slot open - Shown only while the status is `open`.
 * @slot reconnecting - Shown only while the status is `reconnecting`, e.g. a "Reconnecting…" banner.
 * @slot closed - Shown only while the status is `closed`.
 * @slot failed - Shown only while the status is `failed`.
 *
 * @attr {string} url - `ws(s)://`, `http(s)://` or relative url.
 * @attr {number} interval - ms of inbound silence before a ping (default 25000; 0 = heartbeat off).
 * @attr {number} timeout - ms to wait for any message after a ping (default 10000; 0 = never judge).
 * @attr {string} ping-message - text sent as the ping (default `ping`).
 * @attr {string} pong-message - inbound text consumed as the heartbeat reply (default `pong`).
 * @attr {string} protocols - subprotocols, comma-separated.
 * @attr {number} reconnect-delay - ms, base of the backoff (default 1000).
 * @attr {number} reconnect-max-delay - ms, cap of the backoff (default 30000), honoured as given.
 * @attr {number} max-retries - retries after a loss before `failed` (absent = never give up).
 * @attr {number} connect-timeout - ms a handshake may take (default 10000; 0 = no deadline).
 * @attr {'text'|'json'} format - `json` parses inbound text and stringifies outbound values.
 * @attr {number} queue-limit - messages that may wait for an open socket (default 1000).
 * @attr {'blob'|'arraybuffer'} binary-type - how inbound binary messages arrive (default `blob`).
 * @attr {string} fatal-close-codes - server close codes that end in `failed` (default `1002 1003 1007 1008 1009 1010`).
 * @attr {string} refresh-close-codes - server close codes that retry at once via `urlProvider`, failing if they recur (default `4401`).
 * @attr {string} retry-later-close-codes - server close codes whose retry is spread up to the backoff cap (default `1012 1013`).
 * @attr {'none'|'page'|'tabs'} share - share one socket among the elements of the page (`page`) or of every same-origin page (`tabs`) with the same url and protocols; see docs/sharing.md.
 * @attr {string} batch - `frame`: one `messages` event per animation frame instead of `message` events; a number: per window of that many ms (absent = off).
 * @attr {string} status - read-only, reflected: idle, connecting, open, reconnecting, closed, failed.
 *
 * @cssstate idle - `:state(idle)`: not started (no url, or not in a document).
 * @cssstate connecting - `:state(connecting)`: a handshake is under way.
 * @cssstate open - `:state(open)`: the socket is open.
 * @cssstate reconnecting - `:state(reconnecting)`: the connection was lost; a retry is scheduled or waits for the network.
 * @cssstate closed - `:state(closed)`: closed on purpose; no retry.
 * @cssstate failed - `:state(failed)`: gave up; `reconnect()` or a new `url` starts again.
 *
 * @fires {CustomEvent<OpenDetail>} open - the socket opened; queued messages were sent first.
 * @fires {CustomEvent<MessageDetail>} message - an inbound message (never the pong).
 * @fires {CustomEvent<MessagesDetail>} messages - with `batch`: the messages of one frame (or window), in arrival order.
 * @fires {CustomEvent<CloseDetail>} close - a socket ended; `willReconnect` says whether a retry follows.
 * @fires {CustomEvent<ErrorDetail>} error - bad input, a socket error, a refused send, or giving up.
 * @fires {CustomEvent<StatusChangeDetail>} status-change - the status changed.
 * @fires {CustomEvent<RetryDetail>} retry - a reconnect attempt is scheduled.
 * @fires {CustomEvent<HeartbeatDetail>} heartbeat - a ping was answered; `latency` in ms.
 */
export class HeartbeatSocketElement extends ReactiveElement {
  static override properties = Object.fromEntries(
    Object.entries({ ...OPTION_PROPERTIES, share: textAttribute }).map(([name, declaration]) => [
      name,
      { attribute: name.replace(/[A-Z]/g, '-$&').toLowerCase(), ...declaration },
    ]),
  );

  static override styles = css`:host{display:block}:host([hidden]){display:none}`;

  /** `ws(s)://`, `http(s)://` or relative; changing it switches to the new url, one socket at most. */
  declare url: string | undefined;
  declare interval: number | undefined;
  declare timeout: number | undefined;
  declare pingMessage: string | undefined;
  declare pongMessage: string | undefined;
  declare protocols: string | string[] | undefined;
  declare reconnectDelay: number | undefined;
  declare reconnectMaxDelay: number | undefined;
  declare maxRetries: number | undefined;
  declare connectTimeout: number | undefined;
  declare format: MessageFormat | undefined;
  declare queueLimit: number | undefined;
  declare binaryType: BinaryType | undefined;
  /** `frame`: one `messages` event per animation frame (a task in a hidden page); a number: per window of that many ms. */
  declare batch: BatchMode | undefined;
  /**
   * Supplies the url (and subprotocols) before every attempt, e.g. to put a fresh token in it;
   * may return a promise. Takes precedence over `url`. A throw or rejection is an `error` event
   * and counts as a failed attempt.
   */
  declare urlProvider: UrlProvider | undefined;
  declare fatalCloseCodes: CloseCodeList | undefined;
  declare refreshCloseCodes: CloseCodeList | undefined;
  declare retryLaterCloseCodes: CloseCodeList | undefined;
  /**
   * `none` (default): a socket of its own. `page`: one socket for every element of the document
   * with the same url and protocols. `tabs`: one for every same-origin page of the browser.
   * The sharing code is loaded (import()) the first time an element shares.
   */
  declare share: ShareMode | undefined;

  readonly #connection: HeartbeatConnection;
  /** The value of each setting the connection was last given (see #applySettings). */
  readonly #applied = new Map<OptionProperty, unknown>();

  #internals: ElementInternals | undefined;
  /**
   * The per-status slot, named after the current status: only the children of that status are
   * assigned to it, so the others are not rendered.
   */
  #statusSlot: HTMLSlotElement | undefined;
  /** Closed because it left the document (not by `close()`): re-inserting it connects again. */
  #closedByRemoval = false;
  #removalCheck: ReturnType<typeof setTimeout> | undefined;
  /**
   * Set while the element shares: its membership of a group stands in for #connection. Until
   * the sharing code (src/share/, a file of its own) has loaded, a placeholder keeps the sends.
   */
  #share: ShareSeat | undefined;
  /** The sharing code said no (share off, invalid or impossible here): own socket until `share` changes. */
  #ownSocket = false;

  constructor(environment: Omit<HeartbeatEnvironment, 'eventTarget' | 'onStatusChange'> = {}) {
    super();
    this.#connection = new HeartbeatConnection({}, {
      ...environment,
      eventTarget: this,
      onStatusChange: (status, previous) => this.#reflectStatus(status, previous),
    });
    try {
      this.#internals = this.attachInternals();
      this.#internals.states.add(ConnectionStatus.Idle);
    } catch {
      // Browsers without ElementInternals custom states still get the reflected attribute.
      this.#internals = undefined;
    }
  }

  /** The connection's status; reflected as the `status` attribute and a custom state. Read-only. */
  get status(): ConnectionStatus {
    return (this.#share ?? this.#connection).status;
  }

  /**
   * Ignored: the status is the connection's to say. A setter exists only so that frameworks that
   * assign every prop to a same-named property (React 19, Vue) do not throw in strict mode.
   */
  set status(_ignored: unknown) {}

  /**
   * The framework-free engine behind the element, for `socket`, `queuedCount` and `options`.
   * While the element shares (`share`), this own connection stays idle.
   */
  get connection(): HeartbeatConnection {
    return this.#connection;
  }

  /** Messages waiting for the next open socket. */
  get queuedCount(): number {
    return (this.#share ?? this.#connection).queuedCount;
  }

  /**
   * Whether this document holds the shared socket: with `share="tabs"`, true in the one page
   * that holds it for the group; with `share="page"`, true while the element is in its group.
   */
  get holdsSharedSocket(): boolean {
    return this.#share?.holding === true;
  }

  /** While `reconnecting` with no retry scheduled: `'network'` (offline) or `'page'` (hidden into the back/forward cache). */
  get waitingFor(): WaitingFor {
    return this.#connection.waitingFor;
  }

  /**
   * Sends now when open, else queues for the next open. `false` when refused (an `error` event
   * says why). In `json` format, non-string values are JSON-stringified.
   */
  send(data: unknown): boolean {
    // Settings set in this same task (`queue-limit`, `format`) must already rule this send, not
    // only after the update a microtask later.
    if (this.isUpdatePending) this.#applySettings();
    // Before the first update (or while the sharing code loads) a send waits for the group.
    if (!this.#share && this.#wantsShare()) this.#loadShare();
    return (this.#share ?? this.#connection).send(data);
  }

  /** Closes on purpose: status `closed`, no retry, every timer cleared. */
  close(code?: number, reason?: string): void {
    this.#closedByRemoval = false;
    // Shared: only this element leaves; the socket closes when the group has no element left.
    (this.#share ?? this.#connection).close(code, reason);
  }

  /** Drops the current socket, if any, and connects now with the backoff reset. */
  reconnect(): void {
    if (!this.isConnected) {
      this.dispatchEvent(new CustomEvent('error', { detail: { code: 'not-connected', message: 'reconnect(): not in a document' } }));
      return;
    }
    this.#closedByRemoval = false;
    (this.#share ?? this.#connection).reconnect();
  }

  /** Removes every queued message; returns how many there were. */
  clearQueue(): number {
    return (this.#share ?? this.#connection).clearQueue();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    clearTimeout(this.#removalCheck);
    this.#removalCheck = undefined;
    this.setAttribute('status', this.status);
    // super.connectedCallback() made the render root, and with it the slot.
    this.#statusSlot!.name = this.status;
    if (this.hasUpdated) this.#startIfReady(false);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A move (removed and inserted again in the same task, even after an await) must keep the
    // connection: decide in the next task.
    clearTimeout(this.#removalCheck);
    this.#removalCheck = setTimeout(() => {
      this.#removalCheck = undefined;
      if (this.isConnected) return;
      // A sharing seat is closed even while idle (the placeholder, while the sharing code loads).
      const seat = this.#share ?? this.#connection;
      if (seat.status !== ConnectionStatus.Closed && (this.#share || seat.status !== ConnectionStatus.Idle)) {
        seat.close(1000, 'element removed');
        this.#closedByRemoval = true;
      }
    });
  }

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'status'];
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    // `status` is read-only: an author's `status="…"` (in HTML or by setAttribute) is put back.
    if (name === 'status') {
      if (value !== this.status && this.isConnected) this.setAttribute('status', this.status);
      return;
    }
    super.attributeChangedCallback(name, old, value);
  }

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    const root = super.createRenderRoot();
    // The status slot comes first, so a status banner sits above the element's content.
    const slot = (this.#statusSlot = document.createElement('slot'));
    slot.name = this.status;
    root.append(slot, document.createElement('slot'));
    return root;
  }

  protected override updated(changed: PropertyValues<this>): void {
    this.#applySettings();
    if (changed.has('share')) this.#ownSocket = false;
    this.#startIfReady(changed.has('url') || changed.has('urlProvider'));
  }

  /**
   * Gives the connection every setting that changed since it was last given them (each one once,
   * so a bad value is reported once): from `updated()`, and from a `send()` made before it.
   */
  #applySettings(): void {
    const options: Record<string, unknown> = {};
    let any = false;
    for (const name of OPTION_NAMES) {
      const value = this[name];
      if (Object.is(this.#applied.get(name), value)) continue;
      this.#applied.set(name, value);
      options[name] = value;
      any = true;
    }
    if (any) this.#connection.configure(options as HeartbeatOptions);
  }

  #startIfReady(urlChanged: boolean): void {
    if (!this.isConnected || (!this.url && !this.urlProvider)) return;
    const share = this.#share;
    if (share || this.#wantsShare()) {
      if (!share) this.#loadShare();
      else if ('sync' in share) (share as ShareSession).sync(urlChanged || this.#closedByRemoval);
      this.#closedByRemoval = false;
      return;
    }
    const status = this.#connection.status;
    if (
      status === ConnectionStatus.Idle ||
      (status === ConnectionStatus.Closed && (urlChanged || this.#closedByRemoval))
    ) {
      this.#closedByRemoval = false;
      this.#connection.start();
    }
  }

  #wantsShare(): boolean {
    return !this.#ownSocket && this.share != null && this.share !== 'none' && (this.share as string) !== '';
  }

  /** Loads the sharing code; the placeholder keeps the sends (and a close()) made meanwhile. */
  #loadShare(): void {
    const pending: PendingShare & ShareSeat = {
      status: ConnectionStatus.Idle,
      sends: [],
      get queuedCount() {
        return this.sends.length;
      },
      send(data: unknown) {
        return this.sends.push(data) > 0;
      },
      close() {
        this.status = ConnectionStatus.Closed;
      },
      reconnect() {
        this.status = ConnectionStatus.Idle;
      },
      clearQueue() {
        return this.sends.splice(0).length;
      },
    };
    this.#share = pending;
    import('./share/index.js').then(
      ({ ShareSession }) => {
        if (this.#share !== pending) return;
        const host = {
          element: this,
          settingNames: OPTION_NAMES,
          reflect: (status: ConnectionStatus, previous: ConnectionStatus) => this.#reflectStatus(status, previous),
          unshare: (waitingSends: unknown[]) => this.#unshare(waitingSends),
        };
        const session = new ShareSession(host, pending);
        this.#share = session;
        session.sync(false);
      },
      () => this.#share === pending && this.#unshare(pending.sends),
    );
  }

  /** Not sharing after all: a socket of the element's own, with the sends that waited. */
  #unshare(waitingSends: unknown[]): void {
    this.#share = undefined;
    this.#ownSocket = true;
    for (const data of waitingSends) this.#connection.send(data);
    // start() is a no-op while connecting or open; a connection closed by joining starts again.
    if (this.isConnected && (this.url || this.urlProvider)) this.#connection.start();
  }

  #reflectStatus(status: ConnectionStatus, previous: ConnectionStatus): void {
    // setAttribute in the constructor is forbidden for created elements; the first
    // connectedCallback writes the initial value.
    if (this.isConnected || this.hasAttribute('status')) this.setAttribute('status', status);
    if (this.#statusSlot) this.#statusSlot.name = status;
    const states = this.#internals?.states;
    if (states) {
      states.delete(previous);
      states.add(status);
    }
  }
}

export interface HeartbeatSocketElement {
  addEventListener<K extends keyof HeartbeatEventMap>(
    type: K,
    listener: (this: HeartbeatSocketElement, event: HeartbeatEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof HeartbeatEventMap>(
    type: K,
    listener: (this: HeartbeatSocketElement, event: HeartbeatEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}
