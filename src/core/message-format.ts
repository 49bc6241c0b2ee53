// What goes over the socket: text/json encoding of outbound values, decoding of inbound ones.

export type MessageFormat = 'text' | 'json';

/** Data a WebSocket can send. */
export type SocketData = string | ArrayBufferLike | ArrayBufferView | Blob;

export function isSocketData(data: unknown): data is SocketData {
  return (
    typeof data === 'string' ||
    data instanceof ArrayBuffer ||
    ArrayBuffer.isView(data) ||
    (typeof Blob !== 'undefined' && data instanceof Blob)
  );
}

/** Why an outbound value cannot be sent (the caller turns it into an `invalid-data` error). */
export class UnsendableValue {
  constructor(
    readonly message: string,
    readonly cause?: unknown,
  ) {}
}

/**
 * The payload for `send(data)`: socket data as is; in `json` format any other value
 * JSON-stringified. Returns an `UnsendableValue` (never throws) for what cannot be sent.
 */
export function encodeOutbound(format: MessageFormat, data: unknown): SocketData | UnsendableValue {
  if (isSocketData(data)) return data;
  if (format !== 'json') return new UnsendableValue(`send(): ${data === null ? 'null' : typeof data} needs format="json"`);
  let text: string | undefined;
  let cause: unknown;
  try {
    text = JSON.stringify(data);
  } catch (error) {
    cause = error;
  }
  return text ?? new UnsendableValue(`send(): ${typeof data} cannot be JSON-stringified${cause === undefined ? '' : `: ${errorMessage(cause)}`}`, cause);
}

/**
 * What a `message` event carries for inbound `data`: in `json` format text is parsed (a
 * SyntaxError propagates, for the caller's `invalid-json` error); binary data is never parsed.
 */
export function decodeInbound(format: MessageFormat, data: unknown): unknown {
  return format === 'json' && typeof data === 'string' ? JSON.parse(data) : data;
}

export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** A readable message for anything thrown. */
export function errorMessage(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  try {
    return String(cause);
  } catch {
    return typeof cause;
  }
}
