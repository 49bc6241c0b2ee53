// Reconnect storm: N core clients in Node (ws as their WebSocket) connected to a real ws server
// on 127.0.0.1, which then restarts: every socket is cut abnormally (TCP destroyed, clients see
// 1006), the listener closes, and listens again on the same port after a short downtime. New
// connections are counted at the server per 100 ms window from the cut.
//
// Jittered clients draw their first retry from [delay/2, delay] (equal jitter), so a uniform
// spread puts N × 100 / (delay/2) connections in each window. The baseline is the same clients
// with jitter off (random = 1: everyone waits exactly `delay`).
//
// The deploy storm (issue 8 §2): the server closes every socket with 1012 (service restart) or
// 1013 (try again later), half each, before restarting. Those codes ask for a later return: the
// clients draw their retry from [delay/2, reconnectMaxDelay], so the peak falls by about
// (cap - delay/2) / (delay/2) against the plain restart of the same run.
import { fork, execSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestFromChild } from '../lib/child-request.mjs';
import { WebSocketServer } from 'ws';

const HOST = '127.0.0.1';
const WINDOW_MS = 100;
const here = path.dirname(fileURLToPath(import.meta.url));

/** The soft limit on open files, or Infinity when it cannot be read. */
function fileLimit() {
  try {
    const text = execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim();
    return text === 'unlimited' ? Infinity : Number(text) || Infinity;
  } catch {
    return Infinity;
  }
}

export async function startServer(port = 0) {
  const accepted = [];
  const server = http.createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    wss.handleUpgrade(req, socket, head, (ws) => {
      accepted.push(performance.now());
      ws.on('error', () => {});
      wss.emit('connection', ws, req);
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue: a storm should be seen as it arrives, not as SYN retransmits.
    server.listen({ port, host: HOST, backlog: 4096 }, resolve);
  });
  return {
    port: server.address().port,
    accepted,
    open: () => wss.clients.size,
    /**
     * Cuts every socket abnormally and stops listening; with `closeCodes`, first closes each
     * socket with one of them in turn (a deploy) and waits, bounded, for the close handshakes.
     */
    async stop(closeCodes) {
      if (closeCodes?.length) {
        let i = 0;
        for (const ws of wss.clients) ws.close(closeCodes[i++ % closeCodes.length], 'deploy');
        const deadline = performance.now() + 3_000;
        while (wss.clients.size > 0 && performance.now() < deadline) await sleep(20);
      }
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections?.();
      await new Promise((resolve) => wss.close(() => resolve()));
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const request = (child, message, type, ms) => requestFromChild(child, message, type, ms, 'storm client');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One storm: connect, cut, count. */
async function storm({ clients, jitter, reconnectDelay, reconnectMaxDelay, closeCodes, downtimeMs, log }) {
  let server = await startServer();
  const port = server.port;
  const child = fork(path.join(here, '..', 'storm-clients.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const connected = await request(child, { cmd: 'connect', url: `ws://${HOST}:${port}/`, count: clients, jitter, reconnectDelay, reconnectMaxDelay }, 'connected', 30_000);
    if (connected.open !== clients) throw new Error(`storm: only ${connected.open} of ${clients} clients connected`);
    await sleep(300);

    const cutAt = performance.now();
    await server.stop(closeCodes);
    await sleep(downtimeMs);
    server = await startServer(port);
    // Everyone is back within the largest first delay plus a margin; bounded either way.
    const deadline = performance.now() + Math.max(reconnectDelay * 3, reconnectMaxDelay ?? 0) + 5_000;
    while (server.accepted.length < clients && performance.now() < deadline) await sleep(50);
    await sleep(200);
    const report = await request(child, { cmd: 'report' }, 'report', 10_000);

    const offsets = server.accepted.map((t) => t - cutAt);
    const windows = [];
    for (const offset of offsets) {
      const index = Math.floor(offset / WINDOW_MS);
      windows[index] = (windows[index] ?? 0) + 1;
    }
    for (let i = 0; i < windows.length; i++) windows[i] ??= 0;
    const peak = Math.max(0, ...windows);
    const kind = closeCodes ? `closed with ${closeCodes.join('/')}` : jitter ? 'jitter' : 'no jitter';
    log?.(`  storm (${kind}): ${offsets.length}/${clients} back, peak ${peak} per ${WINDOW_MS} ms, last after ${Math.round(Math.max(0, ...offsets))} ms`);
    return {
      clients,
      jitter,
      reconnectDelay,
      reconnectMaxDelay,
      closeCodes,
      downtimeMs,
      reconnected: offsets.length,
      peak,
      windows,
      firstMs: Math.min(...offsets),
      lastMs: Math.max(...offsets),
      intendedDelays: summarize(report.retryDelays),
      clientStatuses: report.statuses,
    };
  } finally {
    await request(child, { cmd: 'close' }, 'closed', 10_000).catch(() => child.kill());
    await Promise.race([exited, sleep(5_000)]);
    if (child.exitCode === null) child.kill();
    await server.stop();
  }
}

function summarize(values) {
  if (values.length === 0) return { count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, min: sorted[0], max: sorted.at(-1), median: sorted[Math.floor(sorted.length / 2)] };
}

export async function benchStorm({ quick, log }) {
  const wanted = quick ? 300 : 1_000;
  // Each client and each server-side socket is a file descriptor, in two processes.
  const limit = fileLimit();
  const clients = Math.max(10, Math.min(wanted, limit - 200));
  const reconnectDelay = 1_000; // the default base: first retry in [500, 1000] ms
  const downtimeMs = 200; // shorter than the earliest retry: every first retry finds the server up
  const jittered = await storm({ clients, jitter: true, reconnectDelay, downtimeMs, log });
  const flat = await storm({ clients, jitter: false, reconnectDelay, downtimeMs, log });
  // A deploy: 1012/1013, then the same restart. A cap of 5 s keeps the run short; the default
  // (30 s) spreads six times wider still.
  const deployCap = 5_000;
  const deploy = await storm({ clients, jitter: true, reconnectDelay, reconnectMaxDelay: deployCap, closeCodes: [1012, 1013], downtimeMs, log });
  const spreadMs = reconnectDelay / 2;
  const uniform = (clients * WINDOW_MS) / spreadMs;
  return {
    clients,
    wanted,
    fileLimit: limit,
    windowMs: WINDOW_MS,
    spreadMs,
    uniformPerWindow: uniform,
    jittered,
    noJitter: flat,
    deploy,
    deployUniformPerWindow: (clients * WINDOW_MS) / (deployCap - reconnectDelay / 2),
  };
}
