import type { UrlProvider, UrlProviderContext, UrlSpec } from './options.js';

/**
 * Resolves what a user gave as a url into a WebSocket url: `ws(s)://` as is, `http(s)://` mapped
 * to `ws(s)://`, relative urls against `base` (the document's base URI in a page). Throws a
 * TypeError with a readable message for anything else.
 */
export function resolveSocketUrl(input: string, base?: string): string {
  const trimmed = input.trim();
  const invalid = (why: string, options?: ErrorOptions): TypeError => new TypeError(`url "${input}" ${why}`, options);
  if (trimmed === '') throw invalid('is empty');
  let url: URL;
  try {
    url = base === undefined ? new URL(trimmed) : new URL(trimmed, base);
  } catch (cause) {
    throw invalid('is not a URL', { cause });
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw invalid('is not ws(s) or http(s)');
  }
  // Older browsers throw a SyntaxError on a fragment; it never reaches the server anyway.
  url.hash = '';
  return url.href;
}

/** "a, b" → ["a", "b"]; arrays are trimmed the same way. */
export function parseProtocols(protocols: string | readonly string[] | undefined): string[] {
  if (protocols === undefined) return [];
  const list = typeof protocols === 'string' ? protocols.split(',') : protocols;
  return list.map((p) => p.trim()).filter((p) => p !== '');
}

/** A url and its subprotocols, for one attempt. */
export interface SocketTarget {
  url: string;
  protocols: string | readonly string[];
}

/**
 * What a url provider returned, as a target: a url (with the configured subprotocols), or
 * `{ url, protocols }`. Throws a TypeError for anything else (a failed attempt, not a crash).
 */
export function socketTarget(spec: UrlSpec, protocols: string | readonly string[]): SocketTarget {
  if (typeof spec === 'string' || spec instanceof URL) return { url: String(spec), protocols };
  if (spec && typeof spec === 'object' && 'url' in spec) return { url: String(spec.url), protocols: spec.protocols ?? protocols };
  throw new TypeError(`got ${typeof spec}, not a url or { url }`);
}

/**
 * Asks `provider` for the target of an attempt, a microtask later, so whatever started the
 * attempt finishes its own events first. A throw, a rejection or an unusable answer goes to
 * `failed`; nothing goes anywhere once the attempt is `stale()`.
 */
export function askUrlProvider(
  provider: UrlProvider,
  context: UrlProviderContext,
  protocols: string | readonly string[],
  attempt: { stale(): boolean; use(target: SocketTarget): void; failed(cause: unknown): void },
): void {
  Promise.resolve()
    .then(() => provider(context))
    .then((spec: UrlSpec) => {
      if (!attempt.stale()) attempt.use(socketTarget(spec, protocols));
    })
    .catch((cause: unknown) => {
      if (!attempt.stale()) attempt.failed(cause);
    });
}
