// Child process of the reconnect-storm benchmark (bench/figures/storm.mjs): N framework-free
// HeartbeatConnection clients, with `ws` as their WebSocket, driven over IPC.
//
//   → { cmd: 'connect', url, count, jitter, reconnectDelay }   ← { type: 'connected', open, ms }
//   → { cmd: 'report' }                                        ← { type: 'report', ... }
//   → { cmd: 'close' }                                         ← { type: 'closed' }, then exit
//
// Bounded: every wait has a deadline, and the process exits by itself if the parent goes away.
import WebSocket from 'ws';
import { HeartbeatConnection } from '../dist/core/index.js';

const clients = [];
const retryDelays = [];
let opensAfterStart = 0;

const send = (message) => process.send?.(message);

function connect({ url, count, jitter, reconnectDelay, reconnectMaxDelay }) {
  const started = performance.now();
  let open = 0;
  const random = jitter ? Math.random : () => 1;
  return new Promise((resolve) => {
    const finish = () => resolve({ type: 'connected', open, ms: performance.now() - started });
    const deadline = setTimeout(finish, 20_000);
    let i = 0;
    // Connect in slices so the first connect is not itself a storm.
    const slice = () => {
      for (const end = Math.min(i + 50, count); i < end; i++) {
        const connection = new HeartbeatConnection(
          // Only the reconnect matters here: the heartbeat stays out of the way.
          { url, interval: 600_000, timeout: 0, reconnectDelay, reconnectMaxDelay, connectTimeout: 10_000 },
          { WebSocket, random, window: null, document: null, isOnline: () => true },
        );
        let first = true;
        connection.addEventListener('open', () => {
          if (first) {
            first = false;
            if (++open === count) {
              clearTimeout(deadline);
              finish();
            }
          } else opensAfterStart++;
        });
        connection.addEventListener('retry', (event) => retryDelays.push(event.detail.delay));
        connection.start();
        clients.push(connection);
      }
      if (i < count) setTimeout(slice, 5);
    };
    slice();
  });
}

process.on('message', async (message) => {
  if (message.cmd === 'connect') send(await connect(message));
  else if (message.cmd === 'report') {
    const statuses = {};
    for (const client of clients) statuses[client.status] = (statuses[client.status] ?? 0) + 1;
    send({ type: 'report', opensAfterStart, retryDelays, statuses });
  } else if (message.cmd === 'close') {
    for (const client of clients) client.close();
    clients.length = 0;
    send({ type: 'closed' });
    setTimeout(() => process.exit(0), 50);
  }
});

process.on('disconnect', () => process.exit(0));
// A hard bound on the child's life, whatever the parent does.
setTimeout(() => process.exit(3), 120_000).unref();
