// A ws server for the in-page benchmarks: `burst:N` makes it send N small messages at once;
// `ping` is answered with `pong`. Counts connections so a test can see none are left open.
import { WebSocketServer } from 'ws';

/** A small message, the same for every variant: about what a chat or ticker update weighs. */
export const PAYLOAD = '{"t":"tick","v":12345}';

export async function startBurstServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    wss.once('error', reject);
    wss.once('listening', resolve);
  });
  let opened = 0;
  wss.on('connection', (ws) => {
    opened++;
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      if (text === 'ping') {
        ws.send('pong');
        return;
      }
      const match = /^burst:(\d+)$/.exec(text);
      if (!match) return;
      const count = Math.min(Number(match[1]), 1_000_000);
      for (let i = 0; i < count; i++) ws.send(PAYLOAD);
    });
  });
  const { port } = wss.address();
  return {
    url: `ws://127.0.0.1:${port}/`,
    stats: () => ({ opened, open: wss.clients.size }),
    stop: () =>
      new Promise((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}
