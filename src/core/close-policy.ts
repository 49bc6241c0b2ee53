import type { ErrorDetail } from './events.js';
import { utf8Length } from './message-format.js';

// What a server's close code asks of us (issue 8 §2). A server has more to say than "1000" and
// "anything else": some codes say "don't come back like this", some "come back with a new
// token", some "come back later". Peers' trackers ask for it: SignalR's non-retryable 401
// (aspnetcore #37439), sockette's "always reconnect on 1001" (#70), graphql-ws #354/#356.

/**
 * - `closed`: 1000, the server said goodbye: no retry.
 * - `fail`: give up (`failed`, with a `server-rejected` error): retrying would only repeat it.
 * - `refresh`: retry at once, asking `urlProvider` for a fresh url (a new token); if the same
 *   kind of code ends the next connection before it proved healthy, give up as for `fail`.
 * - `retry-later`: the server restarts or is overloaded: retry, spread over the whole backoff
 *   window up to the cap, so a fleet does not come back at once (see `retryLaterDelay`).
 * - `retry`: any other code or an abnormal loss: retry with the usual backoff.
 */
export type CloseAction = 'closed' | 'fail' | 'refresh' | 'retry-later' | 'retry';

/**
 * Protocol errors a retry would repeat: 1002 protocol error, 1003 unsupported data, 1007
 * invalid payload, 1008 policy violation, 1009 message too big, 1010 missing extension.
 */
export const DEFAULT_FATAL_CLOSE_CODES: readonly number[] = Object.freeze([1002, 1003, 1007, 1008, 1009, 1010]);
/** 4401 "unauthorized", as graphql-ws and others use it for an expired or missing token. */
export const DEFAULT_REFRESH_CLOSE_CODES: readonly number[] = Object.freeze([4401]);
/** 1012 service restart, 1013 try again later: what a fleet's servers send during a deploy or overload. */
export const DEFAULT_RETRY_LATER_CLOSE_CODES: readonly number[] = Object.freeze([1012, 1013]);

/** 1000 always means `closed`; 1005, 1006 and 1015 are made up by the browser, never sent by a server. */
const NOT_A_POLICY_CODE = new Set([1000, 1005, 1006, 1015]);

export function isPolicyCloseCode(code: unknown): code is number {
  return Number.isInteger(code) && (code as number) > 1000 && (code as number) <= 4999 && !NOT_A_POLICY_CODE.has(code as number);
}

/**
 * A list of close codes from an option: an array of codes (numbers or numeric strings) or one
 * string of codes separated by commas or spaces (`"1008, 4403"`; `""` is the empty list).
 * `undefined` when any entry is not a code a server can send (1001–4999 except 1005, 1006, 1015).
 */
export function parseCloseCodes(input: unknown): readonly number[] | undefined {
  let entries: readonly unknown[];
  if (typeof input === 'string') entries = input.split(/[\s,]+/).filter((part) => part !== '');
  else if (Array.isArray(input)) entries = input;
  else return undefined;
  const codes: number[] = [];
  for (const entry of entries) {
    const code = typeof entry === 'string' && entry.trim() !== '' ? Number(entry) : entry;
    if (!isPolicyCloseCode(code)) return undefined;
    if (!codes.includes(code)) codes.push(code);
  }
  return Object.freeze(codes);
}

export interface ClosePolicy {
  fatalCloseCodes: readonly number[];
  refreshCloseCodes: readonly number[];
  retryLaterCloseCodes: readonly number[];
}

/** What the server's close `code` asks of us. A code in several lists: fatal, then refresh, then retry-later. */
export function closeAction(code: number, policy: ClosePolicy): CloseAction {
  if (code === 1000) return 'closed';
  if (policy.fatalCloseCodes.includes(code)) return 'fail';
  if (policy.refreshCloseCodes.includes(code)) return 'refresh';
  if (policy.retryLaterCloseCodes.includes(code)) return 'retry-later';
  return 'retry';
}

/** A message for a `server-rejected` error. */
export function rejectionMessage(code: number, reason: string, afterRefresh: boolean): string {
  return `server closed with ${code}${afterRefresh ? ' again after a fresh url' : ''}${reason && `: "${reason}"`}; not retried`;
}

/** How we end a socket: its close code and reason. */
export interface SocketEnding {
  code: number;
  reason: string;
}

/**
 * `close(code, reason)` from the user, made safe: WebSocket.close() from a page accepts only
 * 1000 and 3000–4999, and a reason of at most 123 bytes. What it would refuse is reported and
 * replaced (1000, no reason), so closing never throws.
 */
export function checkOwnClose(code: number, reason: unknown, report: (error: ErrorDetail) => void): SocketEnding {
  let ending: SocketEnding = { code, reason: String(reason) };
  if (!(code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999))) {
    report({ code: 'invalid-close', message: `close(): code ${code} is not 1000 or 3000-4999; using 1000`, data: code });
    ending = { code: 1000, reason: ending.reason };
  }
  if (utf8Length(ending.reason) > 123) {
    report({ code: 'invalid-close', message: 'close(): reason over 123 bytes', data: reason });
    ending = { code: ending.code, reason: '' };
  }
  return ending;
}
