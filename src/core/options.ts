import {
  DEFAULT_FATAL_CLOSE_CODES,
  DEFAULT_REFRESH_CLOSE_CODES,
  DEFAULT_RETRY_LATER_CLOSE_CODES,
  parseCloseCodes,
} from './close-policy.js';
import type { ErrorDetail } from './events.js';
import type { BatchMode } from './message-batch.js';
import type { MessageFormat } from './message-format.js';

export type { MessageFormat } from './message-format.js';
export { MAX_TIMER_DELAY } from './environment.js';

/** Close codes as an option: an array, or one string of codes separated by commas or spaces. */
export type CloseCodeList = readonly (number | string)[] | string;

/** What a url provider returns: a url, or a url with its subprotocols. */
export type UrlSpec = string | URL | { url: string | URL; protocols?: string | readonly string[] };

/** What a url provider is told about the attempt it supplies the url for. */
export interface UrlProviderContext {
  /** 0 for a first connect; counts retries after that. */
  attempt: number;
  /**
   * true when the server ended the last connection with a code of `refreshCloseCodes` (an
   * expired token): fetch a new token rather than reuse a cached one.
   */
  refresh: boolean;
}

/**
 * Called before every attempt (the first, and each retry), so a token can be refreshed first.
 * A throw or a rejection is an `error` event and counts as a failed attempt.
 */
export type UrlProvider = (context: UrlProviderContext) => UrlSpec | PromiseLike<UrlSpec>;

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
  /** ms, above 0: base of the backoff; the first retry after a loss waits between half of it and all of it. */
  reconnectDelay?: number | null;
  /** ms, above 0: cap of the backoff, honoured as given (a cap below the base wins over it). */
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
  /** Server close codes that end in `failed`, not a retry (default 1002, 1003, 1007, 1008, 1009, 1010). */
  fatalCloseCodes?: CloseCodeList | null;
  /** Server close codes that retry at once with a fresh url from `urlProvider`, and fail if they recur (default 4401). */
  refreshCloseCodes?: CloseCodeList | null;
  /** Server close codes that retry spread over the whole backoff window (default 1012, 1013). */
  retryLaterCloseCodes?: CloseCodeList | null;
  /** `'frame'` (or a window in ms): messages go out as one `messages` event per frame (window). */
  batch?: BatchMode | null;
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
  fatalCloseCodes: readonly number[];
  refreshCloseCodes: readonly number[];
  retryLaterCloseCodes: readonly number[];
  batch: BatchMode;
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
  fatalCloseCodes: DEFAULT_FATAL_CLOSE_CODES,
  refreshCloseCodes: DEFAULT_REFRESH_CLOSE_CODES,
  retryLaterCloseCodes: DEFAULT_RETRY_LATER_CLOSE_CODES,
  batch: 'none',
});

/**
 * @deprecated No longer applied: every valid `reconnectMaxDelay` is honoured as given (issue 8
 * §1b). Only invalid values (0, negative, NaN, non-numeric) fall back to the default.
 */
export const MIN_RECONNECT_CAP = 1_000;

/** What an option accepts: its resolved value, or `undefined` when invalid; and how to say what it expects. */
type Rule = readonly [resolve: (value: unknown) => unknown, expected: string];

// "500" from a framework that passes attribute text as a property is still 500.
const toNumber = (value: unknown): unknown => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value);
// A backoff time of 0 would retry in a tight loop: the one guard is here, on invalid input.
const ms =
  (aboveZero?: boolean) =>
  (input: unknown): unknown => {
    const value = toNumber(input);
    return typeof value === 'number' && (aboveZero ? value > 0 : value >= 0) && value < Infinity ? value : undefined;
  };
const count = (input: unknown): unknown => {
  const value = toNumber(input);
  return Number.isInteger(value) && (value as number) >= 0 ? value : undefined;
};
const oneOf = (...values: unknown[]): Rule => [(value) => (values.includes(value) ? value : undefined), values.join(' or ')];

const TIME: Rule = [ms(), 'ms >= 0'];
const BACKOFF_TIME: Rule = [ms(true), 'ms > 0'];
const COUNT: Rule = [count, 'an integer >= 0'];
const CLOSE_CODES: Rule = [parseCloseCodes, 'codes 1001-4999 except 1005/1006/1015'];

/** The one validation table: every option not named here (url, protocols, the ping and pong texts) takes any value. */
const RULES: Partial<Record<keyof ResolvedOptions, Rule>> = {
  interval: TIME,
  timeout: TIME,
  reconnectDelay: BACKOFF_TIME,
  reconnectMaxDelay: BACKOFF_TIME,
  connectTimeout: TIME,
  healthyAfter: TIME,
  maxRetries: [(value) => (toNumber(value) === Infinity ? Infinity : count(value)), COUNT[1]],
  queueLimit: COUNT,
  format: oneOf('text', 'json'),
  binaryType: oneOf('blob', 'arraybuffer'),
  urlProvider: [(value) => (typeof value === 'function' ? value : undefined), 'a function'],
  fatalCloseCodes: CLOSE_CODES,
  refreshCloseCodes: CLOSE_CODES,
  retryLaterCloseCodes: CLOSE_CODES,
  batch: [(value) => (value === 'none' || value === 'frame' ? value : TIME[0](value)), 'frame, none or ms >= 0'],
};

function describe(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(describe)}]`;
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
  const next: Record<string, unknown> = { ...current };
  for (const key of Object.keys(input) as Array<keyof ResolvedOptions>) {
    if (!(key in DEFAULTS)) continue;
    const rule = RULES[key];
    const value: unknown = input[key];
    let resolved = value == null ? DEFAULTS[key] : !rule ? (key === 'url' ? String(value) : value) : rule[0](value);
    if (resolved === undefined) {
      report({ code: 'invalid-option', message: `${key} ${describe(value)}: expected ${rule![1]}; using ${describe(DEFAULTS[key])}`, data: value });
      resolved = DEFAULTS[key];
    }
    next[key] = resolved;
  }
  return next as unknown as ResolvedOptions;
}
