// The demo's WebSocket server: answers `ping` with `pong`, echoes everything else, broadcasts a
// small ticker, and can be told to misbehave over plain HTTP on the same port:
//
//   POST /control/drop        terminate every socket abruptly (no close frame)
//   POST /control/silence     say nothing and ignore pings for ?seconds=N (default 15); sockets stay open
//   POST /control/slow        answer pings only after ?ms=N (default 1000), for 30 s
//   POST /control/refuse      reject new handshakes with HTTP 503 for ?seconds=N (default 10)
//   POST /control/restart     terminate every socket and refuse for 3 s
//   POST /control/close1000   close every socket with code 1000 (normal closure)
//   POST /control/ticker      ?on=1 | ?on=0 | no query: toggle the 5 s ticker
//   POST /control/reset       end every fault now
//   GET  /control/state       the current faults, as JSON
//
// Listens on 127.0.0.1 only. `stop()` clears every timer and closes every socket. Another server can
// host the same demo (the test runner does): hand it `handleUpgrade` and `handleControl`.

import http from 'node:http';
import { WebSocketServer } from 'ws';

const HOST = '127.0.0.1';
// The ticker is slower than the page's heartbeat interval (2 s): were it faster, its traffic
// would prove the line alive on its own and no ping (so no latency) would ever be seen.
const TICK_MS = 5000;
const DEFAULT_SLOW_PONG_MS = 1000;
const MAX_SLOW_PONG_MS = 20_000;
const SLOW_FOR_MS = 30_000;
const DEFAULT_REFUSE_S = 10;
const RESTART_REFUSE_MS = 3000;
const DEFAULT_SILENCE_S = 15;
const MAX_SILENCE_S = 600;

/** A number from the query, clamped to [0, max]; the fallback when absent or not a number. */
function numberParam(query, name, fallback, max) {
  const raw = query.get(name);
  const value = raw === null || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) return fallback;
  return Math.min(value, max);
}
/** Paths a WebSocket may be opened on: `/ws` (through the Vite proxy) or `/` directly. */
const SOCKET_PATHS = new Set(['/ws', '/']);

/**
 * Starts the demo server. Resolves once it listens.
 * @param {{ port?: number, log?: (line: string) => void }} [options] port 0 picks a free port.
 * @returns {Promise<{
 *   port: number, url: string, stop: () => Promise<void>, state: () => object,
 *   handleControl: (method: string, url: URL) => { status: number, body: object, headers?: object } | null,
 *   handleUpgrade: (req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => boolean,
 * }>}
 */
export async function startDemoServer({ port = 8787, log = () => {} } = {}) {
  /** Fault windows, as end times (ms since epoch); a window is over once its time has passed. */
  const faults = { silentUntil: 0, slowUntil: 0, refuseUntil: 0, slowPongMs: DEFAULT_SLOW_PONG_MS };
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
      slowPongMs: faults.slowPongMs,
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
        }, faults.slowPongMs);
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
      const seconds = numberParam(query, 'seconds', DEFAULT_SILENCE_S, MAX_SILENCE_S);
      faults.silentUntil = now() + seconds * 1000;
      return { message: `silent for ${seconds} s: no pongs, no echo, no ticker; sockets stay open` };
    },
    slow(query) {
      faults.slowPongMs = Math.round(numberParam(query, 'ms', DEFAULT_SLOW_PONG_MS, MAX_SLOW_PONG_MS));
      faults.slowUntil = now() + SLOW_FOR_MS;
      return { message: `pongs delayed by ${faults.slowPongMs} ms for the next ${SLOW_FOR_MS / 1000} s` };
    },
    refuse(query) {
      const seconds = numberParam(query, 'seconds', DEFAULT_REFUSE_S, MAX_SILENCE_S);
      faults.refuseUntil = now() + seconds * 1000;
      return { message: `new handshakes refused with 503 for ${seconds} s; open sockets stay` };
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

  /**
   * Answers a request on /control/…: `{ status, body }`, or `null` for any other path.
   * Exposed so another HTTP server can host the demo (the test runner does).
   */
  function handleControl(method, url) {
    if (url.pathname === '/control/state') {
      if (method !== 'GET') return { status: 405, body: { ok: false, error: 'use GET' } };
      return { status: 200, body: { ok: true, state: state() } };
    }
    const match = /^\/control\/([a-z0-9]+)$/.exec(url.pathname);
    if (!match) return null;
    const name = match[1];
    const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
    if (!action) return { status: 404, body: { ok: false, error: `unknown action "${name}"`, actions: Object.keys(actions) } };
    if (method !== 'POST') return { status: 405, body: { ok: false, error: 'use POST' }, headers: { Allow: 'POST' } };
    const { message } = action(url.searchParams);
    log(`control: ${name}: ${message}`);
    return { status: 200, body: { ok: true, action: name, message, state: state() } };
  }

  /**
   * Takes a WebSocket upgrade request for /ws or /. Returns false, leaving the socket alone, for
   * any other path. Exposed so another HTTP server can host the demo.
   */
  function handleUpgrade(req, socket, head) {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (!SOCKET_PATHS.has(pathname)) return false;
    socket.on('error', () => {});
    if (stopped) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    if (refusing()) {
      const body = 'refusing connections (demo fault)\n';
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 3\r\n' +
          `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return true;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    return true;
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // The body is never used: drain it so the connection can be reused.
    req.resume();
    const answer = handleControl(req.method, url);
    if (!answer) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('heartbeat-socket demo server: WebSocket on /ws, faults on POST /control/<action>\n');
      return;
    }
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      ...answer.headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-store',
    });
    res.end(text);
  });

  server.on('upgrade', (req, socket, head) => {
    if (handleUpgrade(req, socket, head)) return;
    socket.on('error', () => {});
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
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

  return { port: actualPort, url: `ws://${HOST}:${actualPort}/ws`, stop, state, handleControl, handleUpgrade };
}
