#!/usr/bin/env node
// `npm run bench` (builds first, then runs this). Options:
//   --quick         fewer messages, runs and cycles (a smoke run, about a minute)
//   --only=a,b      run only some figures: throughput, work, detection, recovery, size, storm, memory
//   --peers         the comparison with other WebSocket libraries (bench/figures/peers.mjs), printed
//                   as its own table; alone it runs only that, with --only=… the figures named too
//
// Prints one table (figure | measured | baseline | ratio | budget | verdict) on stdout, progress
// on stderr, and writes bench-results/latest.json (plus a dated copy). Exit code 0 whatever the
// verdicts; 1 only when the bench itself failed.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFaultServer } from '../test/server/fault-server.mjs';
import { launchBrowser, openBenchPage } from './lib/browser.mjs';
import { startBurstServer } from './lib/burst-server.mjs';
import { startStaticServer } from './lib/static-server.mjs';
import { round } from './lib/stats.mjs';
import { bytes, fmt, ms, renderTable, us, verdict } from './lib/table.mjs';
import { benchDetection, benchRecovery } from './figures/faults.mjs';
import { benchMemory } from './figures/memory.mjs';
import { benchSize } from './figures/size.mjs';
import { benchStorm } from './figures/storm.mjs';
import { benchThroughput, benchWork } from './figures/throughput.mjs';
import { benchShare, benchShareSize } from './figures/share.mjs';
import { runPeers } from './figures/peers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((arg) => arg.startsWith('--only='));
const ALL = ['throughput', 'work', 'detection', 'recovery', 'size', 'storm', 'memory', 'share'];
const peers = args.includes('--peers');
const only = onlyArg ? onlyArg.slice('--only='.length).split(',').filter(Boolean) : peers ? [] : ALL;
for (const name of only) if (!ALL.includes(name)) throw new Error(`unknown figure "${name}" (one of ${ALL.join(', ')})`);
const wants = (name) => only.includes(name);

const log = (line) => process.stderr.write(`${line}\n`);
const started = Date.now();

// A hard bound on the whole run: a hung browser or socket must not hang CI. The peers'
// comparison adds about 6 minutes on a loaded 2-core machine.
const limitMinutes = 15 + (peers ? 10 : 0);
const watchdog = setTimeout(() => {
  log(`bench: still running after ${limitMinutes} minutes; giving up`);
  process.exit(1);
}, limitMinutes * 60_000);
watchdog.unref();

if (!fs.existsSync(path.join(root, 'dist/heartbeat-socket.js')) || !fs.existsSync(path.join(root, 'dist/core/index.js'))) {
  log('bench: dist/ is missing; running npm run build');
  execSync('npm run build', { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

const rows = [];
const figures = {};
const errors = [];
const notes = [];

async function figure(name, fn) {
  if (!wants(name)) return;
  log(`bench: ${name}…`);
  const t0 = Date.now();
  try {
    await fn();
  } catch (error) {
    errors.push({ figure: name, error: String(error?.stack ?? error) });
    rows.push({ figure: name, measured: 'error', baseline: '—', ratio: '—', budget: '—', verdict: 'ERROR' });
    log(`bench: ${name} failed: ${error?.stack ?? error}`);
  }
  log(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

let staticServer;
let burst;
let fault;
let browser;
let benchPage;
let chromiumVersion = 'not started';

/** The browser side, started on first use: a missing Chromium fails only the browser figures. */
async function page() {
  if (!benchPage) {
    benchPage = (async () => {
      staticServer = await startStaticServer(root);
      burst = await startBurstServer();
      fault = await startFaultServer();
      browser = await launchBrowser();
      chromiumVersion = await browser.version();
      const opened = await openBenchPage(browser, staticServer.origin);
      await opened.page.exposeFunction('benchServer', (payload) => fault.handle(payload));
      return opened;
    })();
  }
  return benchPage;
}

try {
  await figure('throughput', async () => {
    const b = await page();
    const t = await benchThroughput({ b, burstUrl: burst.url, quick, log });
    figures.throughput = t;
    const ratio = t.floorOverElement;
    rows.push({
      figure: `throughput: script CPU per message (${t.rounds} rounds × ${t.count.toLocaleString('en-US')})`,
      measured: `element ${us(t.scriptUs.element)}`,
      baseline: `floor ${us(t.scriptUs.floor)}`,
      ratio: `floor/element ${fmt(ratio)} (median)`,
      budget: '≥ 0.90',
      verdict: verdict(ratio >= 0.9),
    });
    rows.push({
      figure: 'throughput: batch="frame", script CPU per message',
      measured: `batch ${us(t.scriptUs.batch)}`,
      baseline: `raw onmessage ${us(t.scriptUs.raw)}`,
      ratio: `batch/raw ${fmt(t.batchOverRaw)} (median)`,
      budget: '≤ 1.25',
      verdict: verdict(t.batchOverRaw <= 1.25),
    });
    rows.push({
      figure: 'throughput: batching by hand, script CPU per message (info)',
      measured: `batch floor ${us(t.scriptUs['batch-floor'])}`,
      baseline: `raw onmessage ${us(t.scriptUs.raw)}`,
      ratio: `floor/raw ${fmt(t.batchFloorOverRaw)} (median)`,
      budget: 'none (note 1)',
      verdict: 'info',
    });
    rows.push({
      figure: 'throughput: wall clock first→last message (info)',
      measured: `element ${us(t.wallUs.element, 1)}`,
      baseline: `raw ${us(t.wallUs.raw, 1)}`,
      ratio: `element/raw msgs/s ${fmt(t.elementOverRawWall)}`,
      budget: 'none (note 2)',
      verdict: 'info',
    });
  });

  await figure('work', async () => {
    const b = await page();
    const w = await benchWork({ b, burstUrl: burst.url, quick });
    figures.work = w;
    rows.push({
      figure: `work per message: timer calls (${w.count.toLocaleString('en-US')} msgs)`,
      measured: `${w.element.calls} (${fmt(w.element.perMessage, 4)}/msg)`,
      baseline: `floor ${w.floor.calls}`,
      ratio: '—',
      budget: '0 per message',
      verdict: verdict(w.element.calls === 0),
    });
    rows.push({
      figure: 'work per message: heap allocated (info)',
      measured: `element ${fmt(w.allocationsBytesPerMessage.element, 0)} B/msg`,
      baseline: `floor ${fmt(w.allocationsBytesPerMessage.floor, 0)} B/msg`,
      ratio: `element/floor ${fmt(w.allocationsBytesPerMessage.element / w.allocationsBytesPerMessage.floor)}`,
      budget: 'none',
      verdict: 'info',
    });
    rows.push({
      figure: 'work: batch="frame", timer calls / frames requested (info)',
      measured: `${w.batch.calls} / ${w.batch.frames} for ${w.count.toLocaleString('en-US')} msgs`,
      baseline: `${fmt(w.batch.wallMs / (1000 / 60), 0)} frames of 16.7 ms`,
      ratio: `${fmt(w.batch.frames / w.count, 4)} frames/msg`,
      budget: 'none',
      verdict: 'info',
    });
    rows.push({
      figure: 'work: batch="frame", heap allocated (info)',
      measured: `batch ${fmt(w.allocationsBytesPerMessage.batch, 0)} B/msg`,
      baseline: `raw ${fmt(w.allocationsBytesPerMessage.raw, 0)} B/msg`,
      ratio: `batch/raw ${fmt(w.allocationsBytesPerMessage.batch / w.allocationsBytesPerMessage.raw)}`,
      budget: 'none',
      verdict: 'info',
    });
    const beats = w.fastHeartbeat.wallMs / 200;
    rows.push({
      figure: 'work: timer calls, heartbeat 200 ms during burst (info)',
      measured: `${w.fastHeartbeat.calls} in ${ms(w.fastHeartbeat.wallMs, 0)}`,
      baseline: `${fmt(beats, 1)} intervals`,
      ratio: `${fmt(w.fastHeartbeat.calls / Math.max(beats, 1))}/interval`,
      budget: 'none',
      verdict: 'info',
    });
  });

  await figure('detection', async () => {
    const b = await page();
    const d = await benchDetection({ b, fault, quick, log });
    figures.detection = d;
    rows.push({
      figure: `detection: silent path, median of ${d.runs.length} runs`,
      measured: ms(d.medianMs),
      baseline: `interval+timeout ${ms(d.interval + d.timeout, 0)}`,
      ratio: fmt(d.medianRatio, 3),
      budget: '≤ 1.02 (median)',
      verdict: verdict(d.runs.length >= 5 && d.medianRatio <= 1.02),
    });
  });

  await figure('recovery', async () => {
    const b = await page();
    const r = await benchRecovery({ b, fault, quick, log });
    figures.recovery = r;
    const med = (runs, key) => runs.map((run) => run[key]).sort((x, y) => x - y)[Math.floor(runs.length / 2)];
    rows.push({
      figure: `recovery: server back during the delay (${r.anytime.length} runs)`,
      measured: `median ${ms(med(r.anytime, 'recoveryMs'))}`,
      baseline: `delay+handshake ${ms(med(r.anytime, 'budgetMs'))}`,
      ratio: `worst run ${fmt(r.anytimeMaxRatio, 3)}`,
      budget: '≤ 1.00 every run',
      verdict: verdict(r.anytimeAllMet),
    });
    rows.push({
      figure: 'recovery: server back at the retry announcement (info)',
      measured: `+${ms(r.worstMedianOverMs, 2)} past delay`,
      baseline: `ideal retry +${ms(r.worstIdealMedianOverMs, 2)}`,
      ratio: fmt(r.worstMedianRatioToIdeal, 3),
      budget: 'none (note 5)',
      verdict: 'info',
    });
  });

  await figure('size', async () => {
    const s = await benchSize({ root });
    figures.size = s;
    rows.push({
      figure: 'size: dist/heartbeat-socket.js (Lit inside), gzip -9',
      measured: bytes(s.standalone.gzip),
      baseline: `ReactiveElement alone ${bytes(s.lit.gzip)}`,
      ratio: fmt(s.standalone.gzip / s.lit.gzip),
      budget: '≤ 8,000 B',
      verdict: verdict(s.standalone.gzip <= 8_000),
    });
    rows.push({
      figure: 'size: bundler entry (src/index.ts, Lit external), min+gzip',
      measured: bytes(s.entry.gzip),
      baseline: `minified ${bytes(s.entry.minified)}`,
      ratio: '—',
      budget: '≤ 5,000 B',
      verdict: verdict(s.entry.gzip <= 5_000),
    });
    rows.push({
      figure: 'size: core alone (src/core), min+gzip',
      measured: bytes(s.core.gzip),
      baseline: `minified ${bytes(s.core.minified)}`,
      ratio: '—',
      budget: '≤ 4,000 B',
      verdict: verdict(s.core.gzip <= 4_000),
    });
    rows.push({
      figure: 'size: sharing mode, loaded by import() on first use (info)',
      measured: `standalone chunk ${bytes(s.share.standaloneChunk.gzip)}`,
      baseline: `bundler chunks ${bytes(s.share.entryLazy.gzip)}`,
      ratio: '—',
      budget: 'none',
      verdict: 'info',
    });
    const parts = s.breakdown.modules.map((m) => `${m.module.replace(/^core\//, '')} ${m.gzipShare.toLocaleString('en-US')}`);
    notes.push(`size: core by module, share of min+gzip in B (note 6): ${parts.join(' · ')}; string and template literals ${s.breakdown.literalBytes.toLocaleString('en-US')} B of ${s.breakdown.total.toLocaleString('en-US')} B minified`);
  });

  await figure('storm', async () => {
    const s = await benchStorm({ quick, log });
    figures.storm = s;
    rows.push({
      figure: `reconnect storm: ${s.clients.toLocaleString('en-US')} clients, peak per ${s.windowMs} ms`,
      measured: `${s.jittered.peak}`,
      baseline: `uniform ${fmt(s.uniformPerWindow, 0)}`,
      ratio: fmt(s.jittered.peak / s.uniformPerWindow),
      budget: '≤ 2.00',
      verdict: verdict(s.jittered.reconnected === s.clients && s.jittered.peak <= 2 * s.uniformPerWindow),
    });
    rows.push({
      figure: 'reconnect storm: same clients, jitter off (info)',
      measured: `${s.noJitter.peak}`,
      baseline: `uniform ${fmt(s.uniformPerWindow, 0)}`,
      ratio: fmt(s.noJitter.peak / s.uniformPerWindow),
      budget: 'none (note 7)',
      verdict: 'info',
    });
    rows.push({
      figure: `reconnect storm after 1012/1013 (a deploy), peak per ${s.windowMs} ms`,
      measured: `${s.deploy.peak}`,
      baseline: `plain restart ${s.jittered.peak}`,
      ratio: fmt(s.deploy.peak / s.jittered.peak),
      budget: '≤ 0.50 (note 7)',
      verdict: verdict(s.deploy.reconnected === s.clients && s.deploy.peak <= 0.5 * s.jittered.peak),
    });
    if (s.clients < s.wanted) notes.push(`storm: ran ${s.clients} clients, not ${s.wanted}: open-file limit ${s.fileLimit}`);
  });

  await figure('memory', async () => {
    const b = await page();
    const m = await benchMemory({ b, burst, quick, log });
    figures.memory = m;
    const { element, raw } = m;
    rows.push({
      figure: `memory: heap growth, ${element.cycles.toLocaleString('en-US')} create/connect/remove`,
      measured: bytes(element.growth),
      baseline: `bare WebSocket ${bytes(raw.growth)}`,
      ratio: '—',
      budget: '< 1,048,576 B',
      verdict: verdict(element.growth < 1_048_576),
    });
    rows.push({
      figure: 'memory: timers pending at the end',
      measured: `${element.timers.pending}`,
      baseline: `bare WebSocket ${raw.timers.pending}`,
      ratio: '—',
      budget: '0',
      verdict: verdict(element.timers.pending === 0),
    });
    rows.push({
      figure: 'memory: listeners / server sockets / elements left (info)',
      measured: `${element.listenersAdded} / ${element.serverOpenSockets} / ${element.elementsInPage}`,
      baseline: `${raw.listenersAdded} / ${raw.serverOpenSockets} / 0`,
      ratio: '—',
      budget: 'none',
      verdict: 'info',
    });
  });

  await figure('share', async () => {
    await page();
    const s = await benchShare({ browser, origin: staticServer.origin, fault, quick, log });
    const z = await benchShareSize({ root });
    figures.share = { ...s, size: z };
    for (const { pages, open, opened } of s.sockets) {
      rows.push({
        figure: `share="tabs": sockets at the server, ${pages} page(s)`,
        measured: `${open} open (${opened} opened)`,
        baseline: `unshared ${pages}`,
        ratio: '—',
        budget: '1',
        verdict: verdict(open === 1 && opened === 1),
      });
    }
    for (const [kind, t] of Object.entries(s.takeover)) {
      rows.push({
        figure: `share="tabs": takeover, holder ${kind === 'tab' ? 'tab closed' : 'iframe removed'} (${t.runs.length} runs)`,
        measured: `median ${ms(t.medianMs, 0)}, worst ${ms(t.worstMs, 0)}`,
        baseline: `pages open: median ${ms(t.pagesMedianMs, 0)}`,
        ratio: `most open at once ${t.maxOpen}`,
        budget: '≈ 1 s, never 2 open',
        verdict: verdict(t.worstMs <= 1000 && t.maxOpen === 1),
      });
    }
    const p = s.perMessage;
    rows.push({
      figure: `share="tabs": script CPU per message in a follower (${p.rounds} × ${p.count.toLocaleString('en-US')})`,
      measured: `follower ${us(p.followerUs)}`,
      baseline: `unshared ${us(p.ownUs)}`,
      ratio: `follower/unshared ${fmt(p.followerOverOwn)}; holder ${us(p.holderUs)}`,
      budget: 'none',
      verdict: 'info',
    });
    rows.push({
      figure: 'share: dist/heartbeat-socket-share.js (import()ed), gzip',
      measured: bytes(z.shareChunk.gzip),
      baseline: `standalone ${bytes(z.standalone.gzip)}`,
      ratio: '—',
      budget: 'none',
      verdict: 'info',
    });
  });
  if (peers) {
    log('bench: peers…');
    const t0 = Date.now();
    try {
      await page();
      figures.peers = await runPeers({ root, browser, origin: staticServer.origin, fault, burst, quick, log });
    } catch (error) {
      errors.push({ figure: 'peers', error: String(error?.stack ?? error) });
      log(`bench: peers failed: ${error?.stack ?? error}`);
    }
    log(`bench: peers done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  const b = benchPage ? await benchPage.catch(() => undefined) : undefined;
  if (b?.pageErrors.length) {
    errors.push({ figure: 'page', error: b.pageErrors.join('\n') });
    log(`bench: errors in the page:\n${b.pageErrors.join('\n')}`);
  }
} catch (error) {
  errors.push({ figure: 'setup', error: String(error?.stack ?? error) });
  log(`bench: ${error?.stack ?? error}`);
} finally {
  await browser?.close().catch(() => {});
  await fault?.stop().catch(() => {});
  await burst?.stop().catch(() => {});
  await staticServer?.stop().catch(() => {});
}

const cpus = os.cpus();
const machine = {
  cpu: cpus[0]?.model?.trim() ?? 'unknown',
  cores: cpus.length,
  memoryGB: round(os.totalmem() / 2 ** 30, 1),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  chromium: chromiumVersion,
};

const FOOTNOTES = /** @type {[string, string][]} */ ([
  ['throughput', '1. throughput: script CPU (DevTools Performance.getMetrics ScriptDuration, threadTicks) per message, same page, rounds in rotating order, a forced GC before each burst; ratio = median over rounds of floor/element, paired by round. measured/baseline = mean over rounds. floor = a bare WebSocket dispatching one non-bubbling CustomEvent per message on an element, the least the contract allows. batch floor = a bare WebSocket batching by hand (push the data, one requestAnimationFrame per batch, one call per frame visiting every item): what any batching costs; batch="frame" is judged against raw, its budget.'],
  ['throughput', '2. Wall-clock element/raw has no budget (the project notes replaced the issue\'s "element ≥ 0.95 × raw"): Chromium spends most of each message outside page script (network service, IPC, event plumbing), even the floor reaches only 0.70–0.90 of raw, and wall-clock ratios swing widely between rounds. Shown as information.'],
  ['work', '3. work per message: setTimeout/clearTimeout/setInterval wrapped in the page while the messages arrive, with default settings (interval 25 s: no heartbeat is due during the burst, so any timer call would be per-message work); heap allocated per message from V8\'s sampling heap profiler with collected objects included.'],
  ['detection', '4. detection: through the fault server proxy, which stops forwarding (no FIN, no RST) right after a marker message; close event − last inbound message (pongs included), / (interval 300 + timeout 200).'],
  ['recovery', `5. recovery: server refuses (503) and drops; on the 3rd retry it accepts again, at moments spread over the announced delay. Budget per run: open − accept ≤ announced delay + median handshake of the same run${figures.recovery ? ` (${fmt(figures.recovery.handshakeMs, 1)} ms)` : ''}. Info row: accept at the announcement itself, vs a hand-written setTimeout(delay) + new WebSocket with the same delay${figures.recovery ? `; raw setTimeout lateness here ${fmt(figures.recovery.timerLatenessMs, 1)} ms` : ''}.`],
  ['size', '6. size: gzip level 9. The standalone file as built by npm run build; the core bundled by esbuild from src/core/index.ts and the bundler entry from src/index.ts with lit external (bundle, minify, esm, es2022, code splitting: what loads with the entry gzipped as one, the sharing mode\'s import() chunk apart); per module: esbuild\'s metafile bytes of each module in the core bundle, times the bundle\'s gzip/minified ratio (gzip is not additive); ReactiveElement alone: the same esbuild bundle of @lit/reactive-element\'s ReactiveElement and css, the part of Lit the element uses.'],
  ['storm', '7. storm: server cuts all sockets (1006), stops listening for 200 ms, listens again on the same port. First retry is drawn from [delay/2, delay] = [500, 1000] ms, so uniform = clients × 100 / 500. Jitter off: all wait 1000 ms; its peak is capped by the one client process opening ~1,000 sockets at once. After 1012/1013 (half each) the same clients draw from [500, reconnect-max-delay = 5000] ms (docs/behaviour.md, close codes): uniform = clients × 100 / 4500, against the plain restart of the same run.'],
  ['share', '9. share: Chromium, share="tabs" against the fault server. Sockets: pages are iframes of one tab; "open" = sockets OPEN at the server 300 ms after every page showed open. Takeover: from removing the holder iframe (or closing the holder tab) to the next socket\'s open at the server (Date.now() in both); "pages open" = until every other page dispatched open again. Per message: DevTools ScriptDuration (threadTicks) per message in a follower tab and in a tab with an unshared element, same burst size, median over rounds in alternating order; the holder\'s cost shown too. Sizes: gzip level 9 of the files as built; the chunk is loaded only when an element shares.'],
  ['memory', '8. memory: heap after 3 forced GCs (HeapProfiler.collectGarbage, Runtime.getHeapUsage) after vs before the cycles, after 20 warm-up cycles; timers via instrumented setTimeout/clearTimeout.'],
]).filter(([name]) => wants(name)).map(([, text]) => text);

const table = rows.length ? renderTable(rows) : '';
const header = `heartbeat-socket bench${quick ? ' (quick)' : ''} — ${new Date().toISOString()}\nmachine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, ${machine.os}; Node ${machine.node}; ${machine.chromium}`;
process.stdout.write(`\n${header}\n\n${table}\n\n${FOOTNOTES.join('\n')}\n`);
if (figures.peers) process.stdout.write(`\n${figures.peers.text}\n`);
for (const note of notes) process.stdout.write(`note: ${note}\n`);
if (errors.length) process.stdout.write(`\n${errors.length} figure(s) failed: ${errors.map((e) => e.figure).join(', ')} (see stderr / JSON)\n`);

const result = {
  version: 1,
  date: new Date().toISOString(),
  durationS: round((Date.now() - started) / 1000, 1),
  quick,
  only,
  machine,
  rows,
  notes,
  errors,
  figures,
};
const outDir = path.join(root, 'bench-results');
fs.mkdirSync(outDir, { recursive: true });
const json = `${JSON.stringify(result, null, 2)}\n`;
fs.writeFileSync(path.join(outDir, 'latest.json'), json);
fs.writeFileSync(path.join(outDir, `${result.date.replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`), json);
log(`bench: wrote bench-results/latest.json (${result.durationS} s)`);
clearTimeout(watchdog);
process.exitCode = errors.length ? 1 : 0;
