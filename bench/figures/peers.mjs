// `npm run bench -- --peers`: the element and the core next to the WebSocket libraries people
// compare them with, in one Chromium page and one run (issue 11):
// - size as a user ships it: an esbuild bundle of what they import, minified, gzip -9;
// - page script CPU per message (DevTools ScriptDuration, threadTicks), rounds in rotating order;
// - a silent path (no FIN, no RST) with a 400/400 heartbeat where the peer has one: when the peer
//   called ws.close() ("found"), when the page was told, when a new socket was started;
// - a server restart: 200 Node clients per contender, new connections per 100 ms window.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { requestFromChild } from '../lib/child-request.mjs';
import * as esbuild from 'esbuild';
import { median, round } from '../lib/stats.mjs';
import { splitSizes } from './size.mjs';
import { startServer } from './storm.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const gzip = (text) => zlib.gzipSync(Buffer.from(text), { level: 9 }).length;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The versions installed, read from node_modules: the table names what it measured. */
export function peerVersions(root) {
  const names = ['reconnecting-websocket', 'partysocket', 'sockette', 'websocket-heartbeat-js', '@vueuse/core', 'react-use-websocket', 'vue', 'react'];
  return Object.fromEntries(
    names.map((name) => [name, JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version]),
  );
}

const ESBUILD_PRODUCTION = {
  'process.env.NODE_ENV': '"production"',
  __VUE_OPTIONS_API__: 'false',
  __VUE_PROD_DEVTOOLS__: 'false',
  __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
};

// ---------------------------------------------------------------- size

/** What each contender's user imports; framework runtimes the app already has stay external. */
const SIZE_ENTRIES = [
  { name: 'sockette', code: "export { default } from 'sockette';" },
  { name: 'websocket-heartbeat-js', code: "export { default } from 'websocket-heartbeat-js';" },
  { name: 'VueUse useWebSocket', code: "export { useWebSocket } from '@vueuse/core';", external: ['vue'] },
  { name: 'partysocket', code: "export { WebSocket } from 'partysocket';" },
  { name: 'reconnecting-websocket', code: "export { default } from 'reconnecting-websocket';" },
  { name: 'react-use-websocket', code: "export { default } from 'react-use-websocket';", external: ['react', 'react-dom'] },
  { name: 'our core (heartbeat-socket/core)', code: "export * from './src/core/index.ts';", ours: true },
  // What loads with the entry; the sharing mode is an import() chunk, loaded on first use only.
  { name: 'our bundler entry, Lit external', entry: 'src/index.ts', external: ['lit', 'lit/*', '@lit/reactive-element', '@lit/reactive-element/*'], ours: true },
];

async function bundleSize(root, { code, external = [] }) {
  const result = await esbuild.build({
    absWorkingDir: root,
    stdin: { contents: code, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    external,
    define: ESBUILD_PRODUCTION,
    write: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0].text;
  return { minified: Buffer.byteLength(text), gzip: gzip(text) };
}

export async function peerSizes(root) {
  const sizes = [];
  for (const entry of SIZE_ENTRIES) {
    const size = entry.entry ? (await splitSizes(root, entry.entry, entry.external)).initial : await bundleSize(root, entry);
    sizes.push({ name: entry.name, ours: Boolean(entry.ours), ...size });
  }
  const standalone = fs.readFileSync(path.join(root, 'dist/heartbeat-socket.js'));
  sizes.push({ name: 'our standalone file (Lit inside)', ours: true, minified: standalone.length, gzip: gzip(standalone) });
  return sizes;
}

// ---------------------------------------------------------------- the page

export async function buildPeersPage(root) {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [path.join(here, '../peers/page.js')],
    outfile: path.join(root, 'bench/.build/peers-page.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    external: ['/dist/*'],
    define: ESBUILD_PRODUCTION,
    logLevel: 'silent',
  });
}

export async function openPeersPage(browser, origin) {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error?.message ?? error)));
  await page.goto(`${origin}/bench/peers/page.html`, { waitUntil: 'load' });
  await page.waitForFunction('window.peers && window.peers.ready === true', { timeout: 30_000 });
  const cdp = await page.createCDPSession();
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  await cdp.send('HeapProfiler.enable');
  const metrics = async () => {
    const { metrics: list } = await cdp.send('Performance.getMetrics');
    return Object.fromEntries(list.map(({ name, value }) => [name, value]));
  };
  return { page, cdp, pageErrors, metrics };
}

// ---------------------------------------------------------------- script time per message

async function oneBurst(p, url, kind, count) {
  await p.page.evaluate((k, u) => window.peers.prepare(k, u), kind, url);
  await p.cdp.send('HeapProfiler.collectGarbage');
  const before = await p.metrics();
  const result = await p.page.evaluate((n) => window.peers.burst(n), count);
  const after = await p.metrics();
  await p.page.evaluate(() => window.peers.teardown());
  return { kind, scriptUs: ((after.ScriptDuration - before.ScriptDuration) * 1e6) / count, wallUs: (result.wallMs * 1e3) / count };
}

export async function peerThroughput({ p, burstUrl, quick, log }) {
  const supportsBatch = await p.page.evaluate(() => window.peers.supportsBatch);
  const kinds = ['raw', ...(supportsBatch ? ['element:frame'] : []), 'element', 'core', 'reconnecting-websocket', 'partysocket', 'sockette', 'websocket-heartbeat-js', 'vueuse', 'react-use-websocket'];
  const count = quick ? 5_000 : 20_000;
  const rounds = quick ? 2 : 5;
  for (const kind of kinds) await oneBurst(p, burstUrl, kind, 2_000);
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const order = kinds.map((_, i) => kinds[(i + r) % kinds.length]);
    for (const kind of order) samples.push({ round: r, ...(await oneBurst(p, burstUrl, kind, count)) });
    log?.(`  peers throughput round ${r + 1}/${rounds} done`);
  }
  const rawByRound = (r) => samples.find((s) => s.round === r && s.kind === 'raw').scriptUs;
  return {
    count,
    rounds,
    supportsBatch,
    contenders: kinds.map((kind) => {
      const mine = samples.filter((s) => s.kind === kind);
      return {
        kind,
        scriptUs: median(mine.map((s) => s.scriptUs)),
        minUs: Math.min(...mine.map((s) => s.scriptUs)),
        maxUs: Math.max(...mine.map((s) => s.scriptUs)),
        /** Median over rounds of this / raw, paired by round. */
        overRaw: median(mine.map((s) => s.scriptUs / rawByRound(s.round))),
        wallUs: median(mine.map((s) => s.wallUs)),
      };
    }),
  };
}

// ---------------------------------------------------------------- silent path

let tagCounter = 0;

export async function peerSilentPath({ p, fault, quick, log }) {
  const { proxyPort } = fault.handle({ action: 'info' });
  const heartbeat = { interval: 400, timeout: 400 };
  const boundMs = 5 * (heartbeat.interval + heartbeat.timeout);
  const kinds = ['element', 'core', 'websocket-heartbeat-js', 'react-use-websocket', 'vueuse', 'reconnecting-websocket', 'partysocket', 'sockette'];
  const runs = quick ? 1 : 3;
  const results = [];
  for (const kind of kinds) {
    const mine = [];
    for (let i = 0; i < runs; i++) {
      const tag = `peers-${kind}-${Date.now().toString(36)}-${++tagCounter}`;
      try {
        mine.push(
          await p.page.evaluate((args) => window.peers.silentPathRun(args), {
            kind,
            url: `ws://127.0.0.1:${proxyPort}/bench?tag=${tag}`,
            tag,
            heartbeat,
            boundMs,
          }),
        );
      } finally {
        fault.handle({ action: 'reset', tag });
      }
    }
    // A value missing in any run counts as "not within the bound" (null sorts last).
    const med = (key) => {
      const values = mine.map((run) => run[key] ?? Infinity).sort((a, b) => a - b);
      const m = values[Math.floor(values.length / 2)];
      return Number.isFinite(m) ? m : null;
    };
    const result = { kind, runs: mine, foundMs: med('foundMs'), toldMs: med('toldMs'), retryMs: med('retryMs') };
    results.push(result);
    log?.(`  silent path ${kind}: found ${result.foundMs?.toFixed(0) ?? '—'} ms, told ${result.toldMs?.toFixed(0) ?? '—'} ms, retry ${result.retryMs?.toFixed(0) ?? '—'} ms`);
  }
  return { heartbeat, boundMs, runs, results };
}

// ---------------------------------------------------------------- create/remove cycles

export async function peerCycles({ p, burst, quick, log }) {
  const cycles = quick ? 30 : 100;
  const settleMs = 1_500;
  const kinds = ['element', 'core', 'reconnecting-websocket', 'partysocket', 'sockette', 'websocket-heartbeat-js', 'vueuse', 'react-use-websocket'];
  const results = [];
  for (const kind of kinds) {
    const before = burst.stats();
    const run = await p.page.evaluate((args) => window.peers.cyclesRun(args), { kind, url: burst.url, cycles, settleMs });
    const after = burst.stats();
    const result = { kind, cycles, pendingTimers: run.pendingTimers, pendingWhere: run.pendingWhere, socketsLeftOpen: after.open - before.open, socketsOpened: after.opened - before.opened };
    results.push(result);
    log?.(`  cycles ${kind}: ${result.pendingTimers} timers pending${result.pendingWhere.length ? ` (${result.pendingWhere.join(" ; ")})` : ""}, ${result.socketsLeftOpen} sockets left open, ${result.socketsOpened} opened for ${cycles} cycles`);
    // Close what a contender left open, so the next one starts from nothing.
    await p.page.reload({ waitUntil: 'load' });
    await p.page.waitForFunction('window.peers && window.peers.ready === true', { timeout: 30_000 });
  }
  return { cycles, settleMs, results };
}

// ---------------------------------------------------------------- server restart

const request = (child, message, type, ms) => requestFromChild(child, message, type, ms, 'peers storm');

async function stormOf(kind, clients, log) {
  let server = await startServer();
  const port = server.port;
  const child = fork(path.join(here, '../peers/storm-peers.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const connected = await request(child, { cmd: 'connect', kind, url: `ws://127.0.0.1:${port}/`, count: clients }, 'connected', 30_000);
    if (connected.open !== clients) throw new Error(`peers storm ${kind}: ${connected.open} of ${clients} connected ${connected.error ?? ''}`);
    await sleep(300);
    const cutAt = performance.now();
    await server.stop();
    await sleep(200);
    server = await startServer(port);
    // The slowest default first delay here is reconnecting-websocket's up-to-5 s.
    const deadline = performance.now() + 8_000;
    while (server.accepted.length < clients && performance.now() < deadline) await sleep(50);
    await sleep(200);
    const windows = [];
    for (const t of server.accepted) {
      const index = Math.floor((t - cutAt) / 100);
      windows[index] = (windows[index] ?? 0) + 1;
    }
    const peak = Math.max(0, ...windows.filter(Boolean));
    const offsets = server.accepted.map((t) => t - cutAt);
    log?.(`  storm ${kind}: ${offsets.length}/${clients} back, peak ${peak} per 100 ms`);
    return { kind, clients, reconnected: offsets.length, peak, firstMs: Math.min(...offsets), lastMs: Math.max(...offsets) };
  } finally {
    await request(child, { cmd: 'close' }, 'closed', 10_000).catch(() => child.kill());
    await Promise.race([exited, sleep(5_000)]);
    if (child.exitCode === null) child.kill();
    await server.stop();
  }
}

export async function peerStorm({ log }) {
  const clients = 200;
  const kinds = ['core', 'reconnecting-websocket', 'partysocket', 'sockette', 'websocket-heartbeat-js', 'vueuse'];
  const results = [];
  for (const kind of kinds) {
    try {
      results.push(await stormOf(kind, clients, log));
    } catch (error) {
      results.push({ kind, clients, error: String(error?.message ?? error) });
      log?.(`  storm ${kind} failed: ${error?.message ?? error}`);
    }
  }
  // Our first retry is drawn from [500, 1000] ms: a uniform spread puts clients × 100 / 500 in a window.
  return { clients, uniformPerWindow: (clients * 100) / 500, results };
}

export const roundAll = (value) => JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'number' ? round(v, 2) : v)));

// ---------------------------------------------------------------- the comparison table

const LABELS = {
  raw: 'raw `onmessage` (no library)',
  'element:frame': 'our element, batch="frame"',
  element: 'our element',
  core: 'our core',
  'reconnecting-websocket': 'reconnecting-websocket',
  partysocket: 'partysocket WebSocket',
  sockette: 'sockette',
  'websocket-heartbeat-js': 'websocket-heartbeat-js',
  vueuse: 'VueUse useWebSocket',
  'react-use-websocket': 'react-use-websocket',
};
const SIZE_OF = {
  element: 'our bundler entry, Lit external',
  'element:frame': 'our bundler entry, Lit external',
  core: 'our core (heartbeat-socket/core)',
  'reconnecting-websocket': 'reconnecting-websocket',
  partysocket: 'partysocket',
  sockette: 'sockette',
  'websocket-heartbeat-js': 'websocket-heartbeat-js',
  vueuse: 'VueUse useWebSocket',
  'react-use-websocket': 'react-use-websocket',
};
const VERSION_OF = {
  'reconnecting-websocket': 'reconnecting-websocket',
  partysocket: 'partysocket',
  sockette: 'sockette',
  'websocket-heartbeat-js': 'websocket-heartbeat-js',
  vueuse: '@vueuse/core',
  'react-use-websocket': 'react-use-websocket',
};

const num = (v, d = 0) => (v == null ? '—' : v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));

function renderComparison({ versions, sizes, throughput, silent, cycles, storm }) {
  const it = silent.heartbeat.interval + silent.heartbeat.timeout;
  const bound = `> ${num(silent.boundMs / 1000, 0)} s`;
  const rows = Object.keys(LABELS).map((kind) => {
    const size = sizes.find((s) => s.name === SIZE_OF[kind]);
    const t = throughput.contenders.find((c) => c.kind === kind);
    const s = silent.results.find((r) => r.kind === kind);
    const st = storm.results.find((r) => r.kind === kind);
    const cy = cycles.results.find((r) => r.kind === kind);
    const ms = (v) => (v == null ? bound : `${num(v)} ms`);
    return [
      `${LABELS[kind]}${VERSION_OF[kind] ? ` ${versions[VERSION_OF[kind]]}` : ''}`,
      size ? num(size.gzip) : '—',
      t ? `${num(t.scriptUs, 2)} (${num(t.minUs, 2)}–${num(t.maxUs, 2)})` : kind === 'element:frame' ? 'not built yet' : '—',
      t ? num(t.overRaw, 2) : '—',
      s ? (s.foundMs == null ? `never (${bound})` : `${num(s.foundMs)} ms = ${num(s.foundMs / it, 3)} ×`) : '—',
      s ? ms(s.toldMs) : '—',
      s ? ms(s.retryMs) : '—',
      st ? (st.error ? 'error' : `${st.peak}`) : '—',
      st && !st.error ? `${st.reconnected}/${st.clients} by ${num(st.lastMs)} ms` : '—',
      cy ? `${cy.pendingTimers} / ${cy.socketsLeftOpen}` : '—',
    ];
  });
  const headers = ['contender', 'min+gzip B', 'script µs/msg, median (range)', '× raw', 'silent path: close() called', 'page told', 'new socket', 'restart: peak per 100 ms', 'restart: back', `${cycles.cycles} cycles: timers / sockets left`];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  const extra = sizes.filter((s) => s.ours && !Object.values(SIZE_OF).includes(s.name)).map((s) => `${s.name}: ${num(s.gzip)} B min+gzip -9`);
  return [
    `peers: ${throughput.rounds} rounds × ${num(throughput.count)} messages; silent path with interval ${silent.heartbeat.interval} / timeout ${silent.heartbeat.timeout} (× = of interval + timeout), median of ${silent.runs} run(s), watched for ${num(silent.boundMs)} ms; restart: ${storm.clients} Node clients per contender, uniform over our [500, 1000] ms first delay = ${num(storm.uniformPerWindow)} per window`,
    '',
    line(headers),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
    ...extra,
    `cycles: ${cycles.cycles} × (open, close or unmount), then ${num(cycles.settleMs)} ms: timeouts and intervals still pending in the page, and sockets still open at the server.`,
    'react-use-websocket is not in the restart figure: it runs only inside React; its default reconnectInterval is a fixed 5,000 ms (and it reconnects only when shouldReconnect says so).',
    'Heartbeats: websocket-heartbeat-js pingTimeout/pongTimeout = 400/400; VueUse pings every 400 ms with pongTimeout 400; react-use-websocket interval 400, timeout 800 (its timeout runs from the last message). The others have none.',
  ].join('\n');
}

/** The whole comparison: size, script time, silent path, restart. */
export async function runPeers({ root, browser, origin, fault, burst, burstUrl = burst.url, quick, log }) {
  const versions = peerVersions(root);
  const sizes = await peerSizes(root);
  log?.('  peers: sizes done');
  await buildPeersPage(root);
  const p = await openPeersPage(browser, origin);
  await p.page.exposeFunction('benchServer', (payload) => fault.handle(payload));
  try {
    const throughput = await peerThroughput({ p, burstUrl, quick, log });
    const silent = await peerSilentPath({ p, fault, quick, log });
    const cycles = await peerCycles({ p, burst, quick, log });
    const storm = await peerStorm({ log });
    if (p.pageErrors.length) log?.(`  peers page errors:\n${p.pageErrors.join('\n')}`);
    const result = roundAll({ versions, sizes, throughput, silent, cycles, storm, pageErrors: p.pageErrors });
    return { ...result, text: renderComparison(result) };
  } finally {
    await p.page.close().catch(() => {});
  }
}
