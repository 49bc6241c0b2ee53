import type { ErrorDetail } from '../core/events.js';
import { UnsendableValue, encodeOutbound, type MessageFormat } from '../core/message-format.js';

/**
 * A send turned into what goes on the wire, in the page that sends it (in `tabs` mode the data
 * crosses to another page first, and a refusal must be known at once, as with an own socket).
 * The core's send() rules and messages (encodeOutbound).
 */
export function toPayload(data: unknown, format: unknown): { payload: unknown } | { error: ErrorDetail } {
  const payload = encodeOutbound(format as MessageFormat, data);
  if (!(payload instanceof UnsendableValue)) return { payload };
  const { message, cause } = payload;
  return { error: cause === undefined ? { code: 'invalid-data', message, data } : { code: 'invalid-data', message, data, cause } };
}
