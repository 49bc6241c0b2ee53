// The demo's WebSocket server: answers `ping` with `pong`, echoes everything else, broadcasts a
// small ticker, and can be told to misbehave over plain HTTP on the same port:
//
//   POST /control/drop        terminate every socket abruptly (no close frame)
//   POST /control/silence     say nothing and ignore pings for ?seconds=N (default 15); sockets stay open
//   POST /control/slow        answer pings only after 3 s, for 30 s
//   POST /control/refuse      reject new handshakes with HTTP 503 for 10 s
//   POST /control/restart     terminate every socket and refuse for 3 s
//   POST /control/close1000   close every socket with code 1000 (normal closure)
//   POST /control/ticker      ?on=1 | ?on=0 | no query: toggle the 2 s ticker
//   POST /control/reset       end every fault now
//   GET  /control/state       the current faults, as JSON
//
// Listens on 127.0.0.1 only. `stop()` clears every timer and closes every socket.

import http from 'node:http';
import { WebSocketServer } from 'ws';

const HOST = '127.0.0.1';
const TICK_MS = 2000;
const SLOW_PONG_MS = 3000;
const SLOW_FOR_MS = 30_000;
const REFUSE_FOR_MS = 10_000;
const RESTART_REFUSE_MS = 3000;
const DEFAULT_SILENCE_S = 15;
const MAX_SILENCE_S = 600;
/** Paths a WebSocket may be opened on: `/ws` (through the Vite proxy) or `/` directly. */
const SOCKET_PATHS = new Set(['/ws', '/']);

/**
 * Starts the demo server. Resolves once it listens.
 * @param {{ port?: number, log?: (line: string) => void }} [options] port 0 picks a free port.
 * @returns {Promise<{ port: number, url: string, stop: () => Promise<void>, state: () => object }>}
 */
export async function startDemoServer({ port = 8787, log = () => {} } = {}) {
  /** Fault windows, as end times (ms since epoch); a window is over once its time has passed. */
  const faults = { silentUntil: 0, slowUntil: 0, refuseUntil: 0 };
  let tickerOn = true;
  let tickCount = 0;
  let nextClientId = 1;
  let stopped = false;
  /** Delayed pongs of the `slow` fault, per socket, so a closed socket's timers are cleared too. */
  const pendingPongs = new Map();

  const now = () => Date.now();
  const silent = () => now() < faults.silentUntil;
  const slow = () => now() < faults.slowUntil;
  const refusing = () => now() < faults.refuseUntil;

  function state() {
    const t = now();
    const left = (until) => Math.max(0, Math.ceil((until - t) / 1000));
    return {
      clients: wss.clients.size,
      ticker: tickerOn,
      silentFor: left(faults.silentUntil),
      slowFor: left(faults.slowUntil),
      refuseFor: left(faults.refuseUntil),
    };
  }

  const wss = new WebSocketServer({ noServer: true, clientTracking: true, maxPayload: 64 * 1024 });

  wss.on('connection', (socket) => {
    const id = nextClientId++;
    pendingPongs.set(socket, new Set());
    log(`client ${id} connected (${wss.clients.size} open)`);
    if (!silent()) {
      socket.send(JSON.stringify({ type: 'welcome', client: id, clients: wss.clients.size, time: new Date().toISOString() }));
    }
    socket.on('message', (data, isBinary) => {
      if (silent()) return; // a half-open line: nothing comes back, not even the pong
      if (!isBinary && data.toString() === 'ping') {
        if (!slow()) {
          socket.send('pong');
          return;
        }
        const timers = pendingPongs.get(socket);
        const timer = setTimeout(() => {
          timers?.delete(timer);
          if (socket.readyState === socket.OPEN && !silent()) socket.send('pong');
        }, SLOW_PONG_MS);
        timers?.add(timer);
        return;
      }
      socket.send(data, { binary: isBinary });
    });
    socket.on('close', (code) => {
      for (const timer of pendingPongs.get(socket) ?? []) clearTimeout(timer);
      pendingPongs.delete(socket);
      log(`client ${id} closed (${code}; ${wss.clients.size} open)`);
    });
    socket.on('error', () => {
      // An abrupt end (the client vanished); 'close' follows and cleans up.
    });
  });

  const ticker = setInterval(() => {
    if (!tickerOn || silent() || wss.clients.size === 0) return;
    tickCount += 1;
    const text = JSON.stringify({ type: 'tick', n: tickCount, time: new Date().toISOString() });
    for (const socket of wss.clients) {
      if (socket.readyState === socket.OPEN) socket.send(text);
    }
  }, TICK_MS);

  function terminateAll() {
    const count = wss.clients.size;
    for (const socket of wss.clients) socket.terminate();
    return count;
  }

  /** @type {Record<string, (query: URLSearchParams) => { message: string }>} */
  const actions = {
    drop() {
      const count = terminateAll();
      return { message: `terminated ${count} socket(s) without a close frame` };
    },
    silence(query) {
      const raw = query.get('seconds');
      let seconds = raw === null || raw === '' ? DEFAULT_SILENCE_S : Number(raw);
      if (!Number.isFinite(seconds) || seconds < 0) seconds = DEFAULT_SILENCE_S;
      seconds = Math.min(seconds, MAX_SILENCE_S);
      faults.silentUntil = now() + seconds * 1000;
      return { message: `silent for ${seconds} s: no pongs, no echo, no ticker; sockets stay open` };
    },
    slow() {
      faults.slowUntil = now() + SLOW_FOR_MS;
      return { message: `pongs delayed by ${SLOW_PONG_MS / 1000} s for the next ${SLOW_FOR_MS / 1000} s` };
    },
    refuse() {
      faults.refuseUntil = now() + REFUSE_FOR_MS;
      return { message: `new handshakes refused with 503 for ${REFUSE_FOR_MS / 1000} s; open sockets stay` };
    },
    restart() {
      faults.refuseUntil = Math.max(faults.refuseUntil, now() + RESTART_REFUSE_MS);
      const count = terminateAll();
      return { message: `"restarting": terminated ${count} socket(s), refusing for ${RESTART_REFUSE_MS / 1000} s` };
    },
    close1000() {
      const count = wss.clients.size;
      for (const socket of wss.clients) socket.close(1000, 'server says goodbye');
      return { message: `closed ${count} socket(s) with code 1000` };
    },
    ticker(query) {
      const on = query.get('on');
      tickerOn = on === null || on === '' ? !tickerOn : on === '1' || on === 'true';
      return { message: `ticker ${tickerOn ? 'on' : 'off'}` };
    },
    reset() {
      faults.silentUntil = faults.slowUntil = faults.refuseUntil = 0;
      return { message: 'every fault ended' };
    },
  };

  function sendJson(res, status, body) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-store',
    });
    res.end(text);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // The body is never used: drain it so the connection can be reused.
    req.resume();
    if (url.pathname === '/control/state') {
      if (req.method !== 'GET') return sendJson(res, 405, { ok: false, error: 'use GET' });
      return sendJson(res, 200, { ok: true, state: state() });
    }
    const match = /^\/control\/([a-z0-9]+)$/.exec(url.pathname);
    if (match) {
      const name = match[1];
      const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
      if (!action) {
        return sendJson(res, 404, { ok: false, error: `unknown action "${name}"`, actions: Object.keys(actions) });
      }
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        return sendJson(res, 405, { ok: false, error: 'use POST' });
      }
      const { message } = action(url.searchParams);
      log(`control: ${name}: ${message}`);
      return sendJson(res, 200, { ok: true, action: name, message, state: state() });
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('heartbeat-socket demo server: WebSocket on /ws, faults on POST /control/<action>\n');
  });

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (stopped || !SOCKET_PATHS.has(pathname)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (refusing()) {
      const body = 'refusing connections (demo fault)\n';
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 3\r\n' +
          `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise((resolve, reject) => {
    const onError = (error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, HOST);
  });

  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;

  async function stop() {
    if (stopped) return;
    stopped = true;
    clearInterval(ticker);
    for (const timers of pendingPongs.values()) for (const timer of timers) clearTimeout(timer);
    pendingPongs.clear();
    terminateAll();
    await new Promise((resolve) => wss.close(() => resolve()));
    await new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  return { port: actualPort, url: `ws://${HOST}:${actualPort}/ws`, stop, state };
}
