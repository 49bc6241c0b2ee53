// Making and ending one socket: the plumbing under the state machine, which owns the socket.
import type { SocketEnding } from './close-policy.js';
import { type HeartbeatEnvironment, type SocketLike, defaultBaseURI, globalWebSocket } from './environment.js';
import type { ErrorDetail } from './events.js';
import { errorMessage, type SocketData } from './message-format.js';
import { parseProtocols, resolveSocketUrl, type SocketTarget } from './url.js';

export const SOCKET_OPEN = 1;
const SOCKET_CLOSING = 2;

/**
 * A new socket for `target`, or the error that prevents one: `invalid-url` (an unusable url or
 * subprotocol list) or `no-websocket` (none in this host, none injected). Never throws.
 */
export function createSocket(
  target: SocketTarget,
  env: Pick<HeartbeatEnvironment, 'WebSocket' | 'baseURI'>,
  binaryType: string,
): { socket: SocketLike } | { error: ErrorDetail } {
  let url: string;
  try {
    url = resolveSocketUrl(target.url, (env.baseURI ?? defaultBaseURI)());
  } catch (cause) {
    return { error: { code: 'invalid-url', message: errorMessage(cause), cause, data: target.url } };
  }
  const Socket = env.WebSocket ?? globalWebSocket();
  if (!Socket) {
    return { error: { code: 'no-websocket', message: 'no WebSocket implementation here: pass one as environment.WebSocket (e.g. the ws package)' } };
  }
  try {
    const protocols = parseProtocols(target.protocols);
    const socket = protocols.length > 0 ? new Socket(url, protocols) : new Socket(url);
    socket.binaryType = binaryType;
    return { socket };
  } catch (cause) {
    // The constructor throws a SyntaxError for what the url check cannot see (a bad subprotocol list).
    return { error: { code: 'invalid-url', message: errorMessage(cause), cause, data: target.url } };
  }
}

/** Sends what the user gave, a Blob included (SocketLike.send is typed without it). */
export function sendData(socket: SocketLike, data: SocketData): void {
  socket.send(data as string | ArrayBuffer | ArrayBufferView);
}

/** Nothing the socket does from now on reaches us. */
export function detachSocket(socket: SocketLike): void {
  socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
}

/** Starts the close handshake, unless the socket is already closing or closed. */
export function closeSocket(socket: SocketLike, ending: SocketEnding): void {
  if (socket.readyState >= SOCKET_CLOSING) return;
  try {
    socket.close(ending.code, ending.reason);
  } catch {
    // close() only throws for a bad code or reason; ours are checked, so end it plainly.
    socket.close();
  }
}
