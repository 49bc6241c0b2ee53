// A WebSocket server for integration tests that can misbehave on request.
//
// Started by @web/test-runner through `faultServerPlugin()` and driven from browser tests with
// `executeServerCommand('fault-server', { action, ...payload })` (see test/helpers/server.ts),
// or directly from Node with `startFaultServer()`.
//
// Components (all on 127.0.0.1, OS-chosen ports):
// - ws server: answers text `ping` with `pong`, echoes everything else; per-tag state and faults.
// - TCP proxy in front of the ws server that can go silent per tag (no bytes either way, no FIN,
//   no RST): a network path that dies without telling anyone.
// - blackhole: accepts TCP and never answers (a handshake that never completes).
// - refused port: nothing listens there.
//
// Connections carry `?tag=T` in their URL; tests use unique tags so parallel test files never
// touch each other's sockets.

import http from 'node:http';
import net from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';

const HOST = '127.0.0.1';
const RECEIVED_CAP = 10_000;
/** Longest first chunk scanned for the HTTP request line before giving up on finding a tag. */
const REQUEST_LINE_LIMIT = 8192;

const noop = () => {};

/** Tag from a request target such as `/path?tag=T`; '' when absent or unparsable. */
function tagFromUrl(url) {
  try {
    return new URL(url ?? '/', 'http://x').searchParams.get('tag') ?? '';
  } catch {
    return '';
  }
}

/** Tag from the start of a raw HTTP request (`GET /path?tag=T HTTP/1.1`), or null if incomplete. */
function tagFromRequestHead(buffer) {
  const end = buffer.indexOf('\n');
  if (end === -1) return null;
  const line = buffer.subarray(0, end).toString('latin1').trim();
  const parts = line.split(' ');
  return tagFromUrl(parts[1]);
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

/** A port on 127.0.0.1 that nothing listens on: bind port 0, note the port, close. */
async function findRefusedPort() {
  const server = net.createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

/**
 * Sockets of a tag still OPEN: a socket whose close handshake is done (close frame sent or
 * received) is CLOSING until its TCP connection ends, which Firefox sometimes does only after the
 * next socket's handshake. `current` counts TCP connections; this counts WebSockets.
 */
function openCount(state) {
  let open = 0;
  for (const ws of state.sockets) if (ws.readyState === WebSocket.OPEN) open++;
  return open;
}

function newTagState() {
  return {
    opened: 0,
    current: 0,
    maxConcurrent: 0,
    /** Most sockets of the tag in the OPEN state at once (see `openCount`). */
    maxOpen: 0,
    received: [],
    closes: [],
    protocols: [],
    muted: false,
    pongDelay: 0,
    refused: false,
    /** What each new connection gets as soon as it opens: null, or `{ mode, code, reason }` (see `applyOnOpen`). */
    onOpen: null,
    /** When each connection opened (ms, Date.now()), most recent last; capped like `received`. */
    openTimes: [],
    /** @type {Set<WebSocket>} */
    sockets: new Set(),
  };
}

/** Creates a fault server controller; call `start()` before `handle()`. */
export function createFaultServer() {
  /** @type {Map<string, ReturnType<typeof newTagState>>} */
  const tags = new Map();
  /** Blackhole connections accepted per tag (tag read from the first chunk). */
  const blackholeByTag = new Map();
  let blackholeTotal = 0;
  /** Sockets closed or terminated by an action: their closes are not client-initiated. */
  const serverClosed = new WeakSet();

  /** Every raw socket we hold, destroyed on stop. */
  const rawSockets = new Set();
  /** Proxied connections: `{ tag, client, upstream, silenced, clientClosed, upstreamClosed, pendingEnds }`. */
  const proxyPairs = new Set();
  /** @type {Set<{ tag: string | null, socket: net.Socket }>} */
  const blackholeSockets = new Set();
  const timers = new Set();

  let httpServer = null;
  let wss = null;
  let proxyServer = null;
  let blackholeServer = null;
  let ports = null;
  let starting = null;
  let stopped = false;

  const track = (socket) => {
    rawSockets.add(socket);
    socket.on('error', noop);
    socket.once('close', () => rawSockets.delete(socket));
  };

  const stateFor = (tag) => {
    let state = tags.get(tag);
    if (!state) {
      state = newTagState();
      tags.set(tag, state);
    }
    return state;
  };

  const later = (ms, fn) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  // ---------------------------------------------------------------- ws server

  function onConnection(ws, req, tag) {
    const state = stateFor(tag); // captured: a `reset` orphans this object, later events are harmless
    state.opened++;
    state.current++;
    state.maxConcurrent = Math.max(state.maxConcurrent, state.current);
    state.maxOpen = Math.max(state.maxOpen, openCount(state) + 1);
    const header = req.headers['sec-websocket-protocol'];
    state.protocols = header
      ? String(header)
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
      : [];
    state.sockets.add(ws);
    state.openTimes.push(Date.now());
    if (state.openTimes.length > RECEIVED_CAP) state.openTimes.shift();

    ws.on('error', noop);
    ws.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      const text = isBinary ? null : bytes.toString('utf8');
      state.received.push(isBinary ? `<binary ${bytes.length} bytes>` : text);
      if (state.received.length > RECEIVED_CAP) state.received.shift();
      if (state.muted) return;
      if (text === 'ping') {
        const answer = () => {
          if (ws.readyState === WebSocket.OPEN && !state.muted) ws.send('pong');
        };
        if (state.pongDelay > 0) later(state.pongDelay, answer);
        else answer();
        return;
      }
      if (ws.readyState === WebSocket.OPEN) ws.send(isBinary ? bytes : text, { binary: isBinary });
    });
    ws.on('close', (code, reason) => {
      state.current--;
      state.sockets.delete(ws);
      if (!serverClosed.has(ws)) state.closes.push({ code, reason: reason.toString('utf8') });
    });
    if (state.onOpen) applyOnOpen(ws, state.onOpen);
  }

  /**
   * A server that ends every connection as soon as it opens: `terminate` (TCP destroyed, the
   * client sees 1006) or `close` with `code` and `reason` (a deploy's 1012, an expired token's
   * 4401, a policy's 1008).
   */
  function applyOnOpen(ws, { mode, code, reason }) {
    serverClosed.add(ws);
    if (mode === 'terminate') ws.terminate();
    else ws.close(code, reason);
  }

  function onUpgrade(req, socket, head) {
    const tag = tagFromUrl(req.url);
    const state = tags.get(tag);
    if (state?.refused) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req, tag));
  }

  // ---------------------------------------------------------------- proxy

  function onProxyConnection(client) {
    track(client);
    let head = Buffer.alloc(0);
    const pair = {
      tag: null,
      client,
      upstream: null,
      silenced: false,
      clientClosed: false,
      upstreamClosed: false,
      /** Sockets whose peer ended while silent: they get `end()` when the path talks again. */
      pendingEnds: new Set(),
    };

    const onFirstData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      let tag = tagFromRequestHead(head);
      if (tag === null && head.length < REQUEST_LINE_LIMIT) return;
      if (tag === null) tag = '';
      client.off('data', onFirstData);
      client.pause();
      connectUpstream(pair, tag, head);
    };
    client.on('data', onFirstData);
    client.once('close', () => {
      if (!pair.upstream) return;
      pair.clientClosed = true;
      if (!pair.silenced) pair.upstream.destroy();
    });
  }

  function connectUpstream(pair, tag, head) {
    const { client } = pair;
    const upstream = net.connect({ host: HOST, port: ports.wsPort, allowHalfOpen: true });
    track(upstream);
    pair.tag = tag;
    pair.upstream = upstream;
    proxyPairs.add(pair);

    const forward = (from, to) => {
      from.on('data', (chunk) => {
        if (pair.silenced || to.destroyed) return; // silent path: bytes vanish
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
      from.on('end', () => {
        if (pair.silenced) pair.pendingEnds.add(to); // held back like the bytes
        else if (!to.destroyed) to.end();
      });
    };

    upstream.write(head);
    forward(client, upstream);
    forward(upstream, client);
    client.resume();

    upstream.once('close', () => {
      pair.upstreamClosed = true;
      if (!pair.silenced) client.destroy();
    });
    const done = () => {
      if (client.destroyed && upstream.destroyed) proxyPairs.delete(pair);
    };
    client.once('close', done);
    upstream.once('close', done);
    if (client.destroyed) {
      pair.clientClosed = true;
      upstream.destroy();
    }
  }

  function setSilence(tag, on) {
    let count = 0;
    for (const pair of proxyPairs) {
      if (pair.tag !== tag) continue;
      pair.silenced = on;
      count++;
      if (on) continue;
      // Talking again: an end or close that happened while silent now reaches the other side.
      if (pair.clientClosed || pair.upstreamClosed) {
        pair.client.destroy();
        pair.upstream.destroy();
        continue;
      }
      for (const socket of pair.pendingEnds) if (!socket.destroyed) socket.end();
      pair.pendingEnds.clear();
    }
    return count;
  }

  // ---------------------------------------------------------------- blackhole

  function onBlackholeConnection(socket) {
    track(socket);
    blackholeTotal++;
    const entry = { tag: null, socket };
    blackholeSockets.add(entry);
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      let tag = tagFromRequestHead(head);
      if (tag === null && head.length < REQUEST_LINE_LIMIT) return;
      if (tag === null) tag = '';
      entry.tag = tag;
      blackholeByTag.set(tag, (blackholeByTag.get(tag) ?? 0) + 1);
      head = null;
      socket.off('data', onData);
      socket.on('data', noop); // keep reading and discarding; never write
    };
    socket.on('data', onData);
    socket.once('close', () => blackholeSockets.delete(entry));
    // allowHalfOpen keeps Node from answering the client's FIN: the client has gone all the same.
    socket.once('end', () => {
      blackholeSockets.delete(entry);
      socket.destroy();
    });
  }

  // ---------------------------------------------------------------- lifecycle

  async function start() {
    if (starting) return starting;
    starting = (async () => {
      wss = new WebSocketServer({
        noServer: true,
        handleProtocols: (protocols) => {
          const first = protocols.values().next().value;
          return first === undefined ? false : first;
        },
      });
      httpServer = http.createServer((req, res) => {
        res.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' });
        res.end('WebSocket only');
      });
      httpServer.on('connection', track);
      httpServer.on('upgrade', onUpgrade);
      httpServer.on('clientError', (_err, socket) => socket.destroy());

      proxyServer = net.createServer({ allowHalfOpen: true }, onProxyConnection);
      blackholeServer = net.createServer({ allowHalfOpen: true }, onBlackholeConnection);
      for (const server of [httpServer, proxyServer, blackholeServer]) server.on('error', noop);

      const [wsPort, proxyPort, blackholePort, refusedPort] = await Promise.all([
        listen(httpServer),
        listen(proxyServer),
        listen(blackholeServer),
        findRefusedPort(),
      ]);
      ports = { wsPort, proxyPort, blackholePort, refusedPort };
      return controller;
    })();
    return starting;
  }

  async function stop() {
    if (stopped || !starting) return;
    stopped = true;
    await starting.catch(noop);
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const state of tags.values()) {
      for (const ws of state.sockets) {
        serverClosed.add(ws);
        ws.terminate();
      }
    }
    for (const socket of rawSockets) socket.destroy();
    rawSockets.clear();
    proxyPairs.clear();
    blackholeSockets.clear();
    httpServer?.closeAllConnections?.();
    await new Promise((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
    await Promise.all([httpServer, proxyServer, blackholeServer].filter(Boolean).map(closeServer));
  }

  // ---------------------------------------------------------------- actions

  function forEachSocket(tag, fn) {
    const state = tags.get(tag);
    if (!state) return 0;
    let count = 0;
    for (const ws of [...state.sockets]) {
      fn(ws);
      count++;
    }
    return count;
  }

  function handle(payload = {}) {
    if (!ports) throw new Error('fault-server: not started');
    const { action } = payload;
    const tag = payload.tag == null ? '' : String(payload.tag);
    switch (action) {
      case 'info':
        return { ...ports };
      case 'stats': {
        const state = tags.get(tag);
        return {
          opened: state?.opened ?? 0,
          current: state?.current ?? 0,
          maxConcurrent: state?.maxConcurrent ?? 0,
          open: state ? openCount(state) : 0,
          maxOpen: state?.maxOpen ?? 0,
          received: state ? [...state.received] : [],
          closes: state ? state.closes.map((c) => ({ ...c })) : [],
          protocols: state ? [...state.protocols] : [],
          blackholeConnections: blackholeByTag.get(tag) ?? 0,
          blackholeOpen: [...blackholeSockets].filter((entry) => entry.tag === tag).length,
        };
      }
      case 'blackhole-stats': // extra: totals across tags, including sockets that never sent a byte
        return { total: blackholeTotal, open: blackholeSockets.size };
      case 'send': {
        const data = String(payload.data ?? '');
        let count = 0;
        forEachSocket(tag, (ws) => {
          if (ws.readyState === WebSocket.OPEN) {
            ws.send(data);
            count++;
          }
        });
        return count;
      }
      case 'drop':
        return forEachSocket(tag, (ws) => {
          serverClosed.add(ws);
          ws.terminate();
        });
      case 'close':
        return forEachSocket(tag, (ws) => {
          serverClosed.add(ws);
          ws.close(payload.code, payload.reason);
        });
      case 'mute':
        stateFor(tag).muted = Boolean(payload.on);
        return true;
      case 'pong-delay':
        stateFor(tag).pongDelay = Math.max(0, Number(payload.ms) || 0);
        return true;
      case 'silence':
        return setSilence(tag, Boolean(payload.on));
      case 'refuse':
        stateFor(tag).refused = Boolean(payload.on);
        return true;
      case 'open-sockets': {
        // Sharing tests: sockets of the tag OPEN now, and the most OPEN at once (see `openCount`).
        const state = tags.get(tag);
        return { open: state ? openCount(state) : 0, maxOpen: state?.maxOpen ?? 0 };
      }
      case 'on-open': {
        const mode = payload.mode === 'terminate' || payload.mode === 'close' ? payload.mode : null;
        stateFor(tag).onOpen = mode && { mode, code: payload.code == null ? undefined : Number(payload.code), reason: String(payload.reason ?? '') };
        return true;
      }
      case 'open-times':
        return [...(tags.get(tag)?.openTimes ?? [])];
      case 'reset': {
        forEachSocket(tag, (ws) => {
          serverClosed.add(ws);
          ws.terminate();
        });
        for (const pair of [...proxyPairs]) {
          if (pair.tag !== tag) continue;
          pair.client.destroy();
          pair.upstream.destroy();
          proxyPairs.delete(pair);
        }
        for (const entry of [...blackholeSockets]) {
          if (entry.tag === tag) entry.socket.destroy();
        }
        tags.delete(tag);
        blackholeByTag.delete(tag);
        return true;
      }
      default:
        throw new Error(`fault-server: unknown action ${JSON.stringify(action)}`);
    }
  }

  const controller = { start, stop, handle, info: () => (ports ? { ...ports } : null) };
  return controller;
}

/** Starts a fault server outside the test runner; returns its controller (`handle`, `stop`). */
export async function startFaultServer() {
  const controller = createFaultServer();
  await controller.start();
  return controller;
}

/** @web/test-runner plugin: `executeServerCommand('fault-server', { action, ... })`. */
export function faultServerPlugin() {
  let controller = null;
  return {
    name: 'fault-server',
    async serverStart() {
      controller = createFaultServer();
      await controller.start();
    },
    async serverStop() {
      await controller?.stop();
      controller = null;
    },
    async executeCommand({ command, payload }) {
      if (command !== 'fault-server') return undefined;
      if (!controller) throw new Error('fault-server: not started');
      return controller.handle(payload ?? {});
    },
  };
}
