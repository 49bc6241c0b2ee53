import type { ErrorDetail } from './events.js';

export type MessageFormat = 'text' | 'json';

/** What a url provider returns: a url, or a url with its subprotocols. */
export type UrlSpec = string | URL | { url: string | URL; protocols?: string | readonly string[] };

/**
 * Called before every attempt (the first, and each retry), so a token can be refreshed first.
 * `attempt` is 0 for a first connect and counts retries after that. A throw or a rejection is an
 * `error` event and counts as a failed attempt.
 */
export type UrlProvider = (context: { attempt: number }) => UrlSpec | PromiseLike<UrlSpec>;

/** What a user may set; every field is optional and falls back to its default. */
export interface HeartbeatOptions {
  /** `ws(s)://`, `http(s)://` or relative (resolved against the document's base URI). */
  url?: string | URL | null;
  /** Subprotocols: an array, or one comma-separated string. */
  protocols?: string | readonly string[] | null;
  /** ms of inbound silence before a ping is sent; 0 turns the heartbeat off. */
  interval?: number | null;
  /** ms to wait after a ping for any inbound message; 0 sends pings but never judges them. */
  timeout?: number | null;
  pingMessage?: string | null;
  pongMessage?: string | null;
  /** ms, base of the backoff; the first retry after a loss waits between half of it and all of it. */
  reconnectDelay?: number | null;
  /** ms, cap of the backoff; raised to at least 1000 so a refused port is never hammered. */
  reconnectMaxDelay?: number | null;
  /** Retries after a loss before giving up (status `failed`); absent or Infinity = never give up. */
  maxRetries?: number | null;
  /** ms a handshake may take before the attempt counts as failed; 0 = no deadline of our own. */
  connectTimeout?: number | null;
  format?: MessageFormat | null;
  /** How many messages may wait for an open socket; 0 = none (sends while down are refused). */
  queueLimit?: number | null;
  binaryType?: BinaryType | null;
  /** ms a connection must stay open (and hear from the server) to count as healthy, which resets the backoff. */
  healthyAfter?: number | null;
  /** Supplies the url (and subprotocols) per attempt; takes precedence over `url`. */
  urlProvider?: UrlProvider | null;
}

export interface ResolvedOptions {
  url: string;
  protocols: string | readonly string[];
  interval: number;
  timeout: number;
  pingMessage: string;
  pongMessage: string;
  reconnectDelay: number;
  reconnectMaxDelay: number;
  maxRetries: number;
  connectTimeout: number;
  format: MessageFormat;
  queueLimit: number;
  binaryType: BinaryType;
  healthyAfter: number;
  urlProvider: UrlProvider | null;
}

/**
 * Defaults, explained in the README: a 25 s interval stays under the 60 s idle timeout of common
 * proxies and load balancers (nginx, AWS ALB) even with the 10 s timeout added, so a quiet but
 * healthy connection is never cut by a middlebox, and a dead one is found within 35 s.
 */
export const DEFAULTS: Readonly<ResolvedOptions> = Object.freeze({
  url: '',
  protocols: '',
  interval: 25_000,
  timeout: 10_000,
  pingMessage: 'ping',
  pongMessage: 'pong',
  reconnectDelay: 1_000,
  reconnectMaxDelay: 30_000,
  maxRetries: Infinity,
  connectTimeout: 10_000,
  format: 'text',
  queueLimit: 1_000,
  binaryType: 'blob',
  // Like reconnecting-websocket's minUptime: a server that accepts and then drops at once must
  // not reset the backoff, or it would be retried at the base delay forever.
  healthyAfter: 5_000,
  urlProvider: null,
});

/** Browsers run a setTimeout longer than 2^31-1 ms at once: a huge interval would spin. */
export const MAX_TIMER_DELAY = 2_147_483_647;
/** Floor of the backoff cap (see `reconnectMaxDelay`). */
export const MIN_RECONNECT_CAP = 1_000;

const TIME_KEYS = [
  'interval',
  'timeout',
  'reconnectDelay',
  'reconnectMaxDelay',
  'connectTimeout',
  'healthyAfter',
] as const;

function describe(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/**
 * Merges `input` into `current`. Invalid values are reported through `report` and replaced by
 * their default, so bad input never leaves a setting that could spin (a negative or NaN time).
 * `null` and `undefined` mean "use the default".
 */
export function resolveOptions(
  current: ResolvedOptions,
  input: HeartbeatOptions,
  report: (error: ErrorDetail) => void,
): ResolvedOptions {
  const next: ResolvedOptions = { ...current };
  const invalid = (key: string, value: unknown, expected: string, fallback: unknown): void =>
    report({
      code: 'invalid-option',
      message: `${key} ${describe(value)} is not valid (expected ${expected}); using ${describe(fallback)}`,
      data: value,
    });

  if ('url' in input) next.url = input.url == null ? '' : String(input.url);
  if ('protocols' in input) next.protocols = input.protocols ?? '';

  for (const key of TIME_KEYS) {
    if (!(key in input)) continue;
    const value = input[key];
    if (value == null) next[key] = DEFAULTS[key];
    else if (typeof value === 'number' && Number.isFinite(value) && value >= 0) next[key] = value;
    else {
      invalid(key, value, 'a number of ms, 0 or more', DEFAULTS[key]);
      next[key] = DEFAULTS[key];
    }
  }

  if ('maxRetries' in input) {
    const value = input.maxRetries;
    if (value == null || value === Infinity) next.maxRetries = Infinity;
    else if (typeof value === 'number' && Number.isInteger(value) && value >= 0) next.maxRetries = value;
    else {
      invalid('maxRetries', value, 'a whole number, 0 or more', 'no limit');
      next.maxRetries = Infinity;
    }
  }

  if ('queueLimit' in input) {
    const value = input.queueLimit;
    if (value == null) next.queueLimit = DEFAULTS.queueLimit;
    else if (typeof value === 'number' && Number.isInteger(value) && value >= 0) next.queueLimit = value;
    else {
      invalid('queueLimit', value, 'a whole number, 0 or more', DEFAULTS.queueLimit);
      next.queueLimit = DEFAULTS.queueLimit;
    }
  }

  if ('format' in input) {
    const value = input.format;
    if (value == null) next.format = DEFAULTS.format;
    else if (value === 'text' || value === 'json') next.format = value;
    else {
      invalid('format', value, '"text" or "json"', DEFAULTS.format);
      next.format = DEFAULTS.format;
    }
  }

  if ('binaryType' in input) {
    const value = input.binaryType;
    if (value == null) next.binaryType = DEFAULTS.binaryType;
    else if (value === 'blob' || value === 'arraybuffer') next.binaryType = value;
    else {
      invalid('binaryType', value, '"blob" or "arraybuffer"', DEFAULTS.binaryType);
      next.binaryType = DEFAULTS.binaryType;
    }
  }

  if ('urlProvider' in input) {
    const value = input.urlProvider;
    if (value == null) next.urlProvider = null;
    else if (typeof value === 'function') next.urlProvider = value;
    else {
      invalid('urlProvider', value, 'a function', null);
      next.urlProvider = null;
    }
  }

  if ('pingMessage' in input) next.pingMessage = input.pingMessage ?? DEFAULTS.pingMessage;
  if ('pongMessage' in input) next.pongMessage = input.pongMessage ?? DEFAULTS.pongMessage;
  return next;
}
