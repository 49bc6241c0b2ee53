// Type-level test, compiled by `npm run typecheck` (never run): the WebSocket implementations a
// user may pass as `environment.WebSocket` are accepted as they are (issue 9 §5).
import type NodeWebSocket from 'ws';
import type { WebSocket as UndiciWebSocket } from 'undici-types';
import { HeartbeatConnection, type WebSocketConstructor } from '../../src/core/index.js';

declare const wsPackage: typeof NodeWebSocket;
declare const undici: typeof UndiciWebSocket;

// The `ws` package (with @types/ws), as the README's Node recipe writes it.
new HeartbeatConnection({ url: 'ws://127.0.0.1:8080/' }, { WebSocket: wsPackage });
// undici's WebSocket, which is Node 22's global `WebSocket`.
new HeartbeatConnection({ url: 'ws://127.0.0.1:8080/' }, { WebSocket: undici });
// The DOM's.
new HeartbeatConnection({ url: 'ws://127.0.0.1:8080/' }, { WebSocket: globalThis.WebSocket });
export const constructors: WebSocketConstructor[] = [wsPackage, undici, WebSocket];

// Not a WebSocket: still an error.
// @ts-expect-error a Date has no send/close
new HeartbeatConnection({}, { WebSocket: Date });
// @ts-expect-error a socket without close() cannot be ended
new HeartbeatConnection({}, { WebSocket: class { url = ''; readyState = 0; binaryType = ''; onopen = null; onmessage = null; onerror = null; onclose = null; send() {} } });
