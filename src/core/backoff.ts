// The backoff rule, in one place: when a lost connection is retried, and when we give up.
//
// - The delay of retry n (0-based) is drawn from [ceiling / 2, ceiling], ceiling =
//   min(reconnectMaxDelay, reconnectDelay * 2^n) ("equal jitter"); every valid setting is
//   honoured as given, a cap below the base wins (issue 8 §1b).
// - n grows with each retry and goes back to 0 only after a healthy connection (see isHealthy).
// - After a heartbeat death the retry goes at once: the server is probably fine, the path was not.
// - Server-directed delays (issue 8 §2, see close-policy.ts): after 1012/1013 the delay is drawn
//   over the whole window [ceiling / 2, cap]; a refresh code retries at once with a new url.
// - maxRetries limits consecutive failed attempts (a socket that opens ends the streak).
//   Attempts made while the browser says it is offline do not count (issue 8 §1c).

/**
 * Equal jitter rather than full jitter because full jitter may draw ~0 ms again and again, which
 * against a refused port is a tight loop; half the window still spreads a fleet of clients
 * evenly enough not to stampede a restarted server.
 */
export function backoffDelay(
  retry: number,
  baseDelay: number,
  maxDelay: number,
  random: () => number = Math.random,
): number {
  const ceiling = backoffCeiling(retry, baseDelay, maxDelay);
  const half = ceiling / 2;
  // A sub-ms setting may round to 0: at least 1 ms, so a retry is never an immediate loop.
  return Math.max(1, Math.round(half + random() * half));
}

/**
 * After "service restart" (1012) or "try again later" (1013): at least what a plain loss would
 * wait, drawn up to the cap, so a fleet that a deploy cut at once comes back spread over the
 * whole window instead of within half a base delay.
 */
export function retryLaterDelay(
  retry: number,
  baseDelay: number,
  maxDelay: number,
  random: () => number = Math.random,
): number {
  const low = backoffCeiling(retry, baseDelay, maxDelay) / 2;
  return Math.max(1, Math.round(low + random() * (maxDelay - low)));
}

function backoffCeiling(retry: number, baseDelay: number, maxDelay: number): number {
  // 2^31 already dwarfs any sane cap; stop growing before the float does anything strange.
  return Math.min(maxDelay, baseDelay * 2 ** Math.min(retry, 31));
}

/**
 * Healthy = stayed open `healthyAfter` ms AND the server proved itself (a message arrived, or
 * the heartbeat is off so nothing could be asked): one that accepts and then never answers must
 * not reset the backoff, or its retries would never slow down. (Like reconnecting-websocket's
 * minUptime.)
 */
export function isHealthy(openFor: number | undefined, heard: boolean, heartbeatOn: boolean, healthyAfter: number): boolean {
  return openFor !== undefined && openFor >= healthyAfter && (heard || !heartbeatOn);
}

/** How a connection was lost, as far as the backoff cares. */
export interface Loss {
  /** `heartbeat-death`: found dead by the heartbeat; the others follow the server's close code. */
  kind: 'retry' | 'retry-later' | 'refresh' | 'heartbeat-death';
  /** The connection that ended was healthy (see isHealthy): the backoff starts again. */
  healthy: boolean;
  /** The browser says it is offline: this retry does not count towards maxRetries. */
  offline: boolean;
}

export interface BackoffSettings {
  reconnectDelay: number;
  reconnectMaxDelay: number;
  maxRetries: number;
}

/** The next attempt: its number (what maxRetries counts) and how long to wait for it. */
export interface ScheduledRetry {
  attempt: number;
  delay: number;
}

/** The state of the rule for one connection: consecutive failures and the exponent. */
export class Backoff {
  #retries = 0;
  #level = 0;

  /** Counted retries since a socket last opened (what `maxRetries` limits). */
  get retries(): number {
    return this.#retries;
  }

  /** start(), reconnect(), a new url: a fresh start. */
  reset(): void {
    this.#retries = this.#level = 0;
  }

  /** A socket opened: the streak of failed attempts ends (the exponent stays until healthy). */
  opened(): void {
    this.#retries = 0;
  }

  /** The retry after `loss`, or `null` when maxRetries is exhausted. */
  next(loss: Loss, settings: BackoffSettings, random: () => number = Math.random): ScheduledRetry | null {
    if (loss.healthy) this.#level = 0;
    if (!loss.offline && this.#retries >= settings.maxRetries) return null;
    const attempt = loss.offline ? this.#retries + 1 : ++this.#retries;
    const level = this.#level++;
    const { reconnectDelay, reconnectMaxDelay } = settings;
    let delay: number;
    if (loss.kind === 'heartbeat-death' || loss.kind === 'refresh') delay = 0;
    else if (loss.kind === 'retry-later') delay = retryLaterDelay(level, reconnectDelay, reconnectMaxDelay, random);
    else delay = backoffDelay(level, reconnectDelay, reconnectMaxDelay, random);
    return { attempt, delay };
  }
}
