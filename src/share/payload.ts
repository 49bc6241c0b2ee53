import type { ErrorDetail } from '../core/events.js';

/** What WebSocket.send() takes (the core's SocketData). */
function isSocketData(data: unknown): boolean {
  return (
    typeof data === 'string' ||
    data instanceof ArrayBuffer ||
    ArrayBuffer.isView(data) ||
    (typeof Blob !== 'undefined' && data instanceof Blob)
  );
}

/**
 * A send turned into what goes on the wire, in the page that sends it (in `tabs` mode the data
 * crosses to another page first, and a refusal must be known at once, as with an own socket).
 * Same rules and messages as the core's send().
 */
export function toPayload(data: unknown, format: unknown): { payload: unknown } | { error: ErrorDetail } {
  if (format === 'json' && typeof data !== 'string' && !isSocketData(data)) {
    let text: string | undefined;
    try {
      text = JSON.stringify(data);
    } catch (cause) {
      return { error: { code: 'invalid-data', message: `send(): value cannot be JSON-stringified: ${String(cause)}`, data, cause } };
    }
    if (text === undefined) return { error: { code: 'invalid-data', message: `send(): ${typeof data} cannot be JSON-stringified`, data } };
    return { payload: text };
  }
  if (isSocketData(data)) return { payload: data };
  return {
    error: {
      code: 'invalid-data',
      message: `send() takes a string, ArrayBuffer, typed array or Blob (got ${data === null ? 'null' : typeof data}); set format="json" to send objects`,
      data,
    },
  };
}
