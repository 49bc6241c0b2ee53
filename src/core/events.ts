import type { ConnectionStatus } from './status.js';

/** `open`: the socket opened (queued messages have already been sent on it). */
export interface OpenDetail {
  url: string;
}

/** `message`: an inbound message other than the pong. In `json` format, text is parsed. */
export interface MessageDetail<T = unknown> {
  data: T;
}

/** `messages`: in batch mode, the messages of one frame (or window), in arrival order. */
export interface MessagesDetail<T = unknown> {
  /** What each `message` event's `detail.data` would have been; the pong excluded. */
  data: T[];
}

/** `close`: a socket ended, whether it had opened or not. */
export interface CloseDetail {
  code: number;
  reason: string;
  wasClean: boolean;
  /** true when a retry follows (status `reconnecting` or `connecting`). */
  willReconnect: boolean;
}

/** Machine-readable kinds of `error`. */
export type ErrorCode =
  | 'invalid-url'
  | 'invalid-option'
  | 'invalid-json'
  | 'invalid-data'
  | 'invalid-close'
  | 'queue-full'
  | 'not-connected'
  | 'socket-error'
  | 'retries-exhausted'
  | 'url-provider-failed'
  | 'send-failed'
  /** The server closed with a code that says not to come back like this (see `fatalCloseCodes`, `refreshCloseCodes`). */
  | 'server-rejected'
  /** No WebSocket implementation: none in this host, and none passed as `environment.WebSocket`. */
  | 'no-websocket'
  /** `share="tabs"` where the browser lacks Web Locks or BroadcastChannel: the element uses a socket of its own (said once). */
  | 'share-unavailable';

/** `error`: something went wrong; the status says what state it left. */
export interface ErrorDetail {
  message: string;
  code: ErrorCode;
  cause?: unknown;
  /** The data concerned: a refused outbound message, or inbound text that was not JSON. */
  data?: unknown;
}

/** `status-change`: the status moved from `previous` to `status`. */
export interface StatusChangeDetail {
  status: ConnectionStatus;
  previous: ConnectionStatus;
}

/** `retry`: a reconnect attempt is scheduled in `delay` ms. */
export interface RetryDetail {
  /** 1 for the first retry after a loss, counting consecutive failures. */
  attempt: number;
  delay: number;
  /** Configured limit; `Infinity` when retries never end. */
  maxRetries: number;
}

/** `heartbeat`: the first inbound message after a ping arrived `latency` ms after the ping. */
export interface HeartbeatDetail {
  latency: number;
  /** true when that message was the pong text, false when other traffic proved the line. */
  pong: boolean;
}

export interface HeartbeatEventDetails {
  open: OpenDetail;
  message: MessageDetail;
  messages: MessagesDetail;
  close: CloseDetail;
  error: ErrorDetail;
  'status-change': StatusChangeDetail;
  retry: RetryDetail;
  heartbeat: HeartbeatDetail;
}

export type HeartbeatEventName = keyof HeartbeatEventDetails;

/** Typed event map, for `addEventListener` on the connection or the element. */
export type HeartbeatEventMap = {
  [K in HeartbeatEventName]: CustomEvent<HeartbeatEventDetails[K]>;
};

/**
 * An EventTarget whose listeners are typed by an event map, declared once (partysocket's
 * type-helper idea): `class X extends (EventTarget as TypedEventTargetConstructor<Map>)`.
 */
export interface TypedEventTarget<M> extends EventTarget {
  addEventListener<K extends keyof M & string>(type: K, listener: (this: this, event: M[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof M & string>(type: K, listener: (this: this, event: M[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

export type TypedEventTargetConstructor<M> = new () => TypedEventTarget<M>;
