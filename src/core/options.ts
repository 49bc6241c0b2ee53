import type { ErrorDetail } from './events.js';
import type { BatchMode } from './message-batch.js';

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
  batch: 'none',
});

/** Browsers run a setTimeout longer than 2^31-1 ms at once: a huge interval would spin. */
export const MAX_TIMER_DELAY = 2_147_483_647;
/** Floor of the backoff cap (see `reconnectMaxDelay`). */
export const MIN_RECONNECT_CAP = 1_000;

const isTime = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isCount = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
const TIME = [isTime, 'a number of ms, 0 or more'] as const;
const COUNT = [isCount, 'a whole number, 0 or more'] as const;

/** What each validated option accepts, and how to say so when it is not. */
const RULES: Partial<Record<keyof ResolvedOptions, readonly [(value: unknown) => boolean, string]>> = {
  interval: TIME,
  timeout: TIME,
  reconnectDelay: TIME,
  reconnectMaxDelay: TIME,
  connectTimeout: TIME,
  healthyAfter: TIME,
  maxRetries: [(v) => v === Infinity || isCount(v), COUNT[1]],
  queueLimit: COUNT,
  format: [(v) => v === 'text' || v === 'json', '"text" or "json"'],
  binaryType: [(v) => v === 'blob' || v === 'arraybuffer', '"blob" or "arraybuffer"'],
  urlProvider: [(v) => typeof v === 'function', 'a function'],
  batch: [(v) => v === 'none' || v === 'frame' || isTime(v), 'a number of ms, "frame" or "none"'],
};

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
  const next: Record<string, unknown> = { ...current };
  for (const key of Object.keys(input) as Array<keyof ResolvedOptions>) {
    if (!(key in DEFAULTS)) continue;
    const rule = RULES[key];
    let value: unknown = input[key];
    // "500" from a framework that passes attribute text as a property is still 500.
    if (typeof value === 'string' && rule?.[1].startsWith('a ') && value.trim() !== '' && !Number.isNaN(Number(value))) {
      value = Number(value);
    }
    if (value == null) next[key] = DEFAULTS[key];
    else if (!rule || rule[0](value)) next[key] = key === 'url' ? String(value) : value;
    else {
      const fallback = key === 'maxRetries' ? 'no limit' : describe(DEFAULTS[key]);
      report({
        code: 'invalid-option',
        message: `${key} ${describe(value)} is not valid (expected ${rule[1]}); using ${fallback}`,
        data: value,
      });
      next[key] = DEFAULTS[key];
    }
  }
  return next as unknown as ResolvedOptions;
}
