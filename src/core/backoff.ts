/**
 * The backoff rule, in one place: capped exponential growth with "equal jitter".
 *
 * The ceiling for retry n (0-based) is min(maxDelay, baseDelay * 2^n); the delay is drawn
 * uniformly from [ceiling / 2, ceiling]. Equal jitter rather than full jitter because full
 * jitter may draw ~0 ms again and again, which against a refused port is a tight loop; half the
 * window still spreads a fleet of clients evenly enough not to stampede a restarted server.
 */
export function backoffDelay(
  retry: number,
  baseDelay: number,
  maxDelay: number,
  random: () => number = Math.random,
): number {
  // 2^31 already dwarfs any sane cap; stop growing before the float does anything strange.
  const ceiling = Math.min(maxDelay, baseDelay * 2 ** Math.min(retry, 31));
  const half = ceiling / 2;
  // A sub-ms setting may round to 0: at least 1 ms, so a retry is never an immediate loop.
  return Math.max(1, Math.round(half + random() * half));
}
