/** The states of a connection, as data: see the diagram in the README. */
export const ConnectionStatus = {
  /** Not started: no url, or (for the element) not in a document. */
  Idle: 'idle',
  /** A handshake is under way. */
  Connecting: 'connecting',
  /** The socket is open. */
  Open: 'open',
  /** The connection was lost unexpectedly; a retry is scheduled. */
  Reconnecting: 'reconnecting',
  /** Closed on purpose: `close()`, the element removed, or the server closed with 1000. No retry. */
  Closed: 'closed',
  /** Gave up: retries exhausted, or the url is unusable. `reconnect()` or a new url starts again. */
  Failed: 'failed',
} as const;

export type ConnectionStatus = (typeof ConnectionStatus)[keyof typeof ConnectionStatus];

/**
 * Close codes this library sends. WebSocket.close() accepts only 1000 and 3000–4999 from a page,
 * so codes of our own live in the private-use range 4000–4999.
 */
export const CloseCode = {
  Normal: 1000,
  /** No inbound message within `timeout` of a ping. */
  HeartbeatTimeout: 4000,
  /** The handshake took longer than `connectTimeout`. */
  ConnectTimeout: 4001,
} as const;
