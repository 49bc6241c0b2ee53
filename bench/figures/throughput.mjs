// Throughput and work per message, in one Chromium page.
//
// A local ws server sends N small messages to three receivers in the same page, in alternating
// rounds: a bare WebSocket `onmessage` ("raw"), a bare WebSocket whose `onmessage` dispatches one
// non-bubbling CustomEvent per message on an element ("floor": the least the contract allows),
// and <heartbeat-socket> from dist/heartbeat-socket.js. Per message we take the page's script
// CPU time (DevTools Performance.getMetrics, timeDomain threadTicks, ScriptDuration delta) and
// the wall-clock time from first to last message.
import { median, round, sum } from '../lib/stats.mjs';

// `batch`: the element with batch="frame" (one `messages` event per animation frame).
// `batch-floor`: a bare WebSocket that batches by hand (push, one frame per batch): what any
// batching costs, for reference.
const KINDS = ['raw', 'floor', 'element', 'batch', 'batch-floor'];

async function oneBurst(b, url, kind, count) {
  await b.page.evaluate((k, u) => window.bench.prepare(k, u), kind, url);
  // Every burst starts from a collected heap, so no receiver pays for garbage left by another.
  await b.cdp.send('HeapProfiler.collectGarbage');
  const before = await b.metrics();
  const result = await b.page.evaluate((n) => window.bench.burst(n), count);
  const after = await b.metrics();
  await b.page.evaluate(() => window.bench.teardown());
  return {
    kind,
    count,
    scriptUs: ((after.ScriptDuration - before.ScriptDuration) * 1e6) / count,
    taskUs: ((after.TaskDuration - before.TaskDuration) * 1e6) / count,
    wallUs: (result.wallMs * 1e3) / count,
  };
}

export async function benchThroughput({ b, burstUrl, quick, log }) {
  const count = quick ? 10_000 : 100_000;
  const rounds = quick ? 3 : 5;
  // Warm-up: compile and settle every path before measuring.
  for (const kind of KINDS) await oneBurst(b, burstUrl, kind, quick ? 2_000 : 5_000);

  const samples = [];
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so no receiver always runs first or last.
    const order = KINDS.map((_, i) => KINDS[(i + round) % KINDS.length]);
    for (const kind of order) {
      const sample = await oneBurst(b, burstUrl, kind, count);
      samples.push({ round, ...sample });
      log?.(`  throughput round ${round + 1}/${rounds} ${kind}: script ${sample.scriptUs.toFixed(2)} µs/msg, wall ${sample.wallUs.toFixed(1)} µs/msg`);
    }
  }
  const of = (kind, key) => samples.filter((s) => s.kind === kind).map((s) => s[key]);
  const mean = (kind, key) => sum(of(kind, key)) / rounds;
  const perRound = (key, a, b2) =>
    Array.from({ length: rounds }, (_, r) => {
      const x = samples.find((s) => s.round === r && s.kind === a)[key];
      const y = samples.find((s) => s.round === r && s.kind === b2)[key];
      return x / y;
    });
  const floorOverElement = perRound('scriptUs', 'floor', 'element');
  const batchOverRaw = perRound('scriptUs', 'batch', 'raw');
  return {
    count,
    rounds,
    /** The verdict's figure: the median over rounds of floor CPU / element CPU (paired by round). */
    floorOverElement: median(floorOverElement),
    floorOverElementTotal: mean('floor', 'scriptUs') / mean('element', 'scriptUs'),
    /** batch="frame" CPU / raw `onmessage` CPU, median over rounds (paired by round): budget ≤ 1.25. */
    batchOverRaw: median(batchOverRaw),
    batchOverRawPerRound: batchOverRaw.map((v) => round(v)),
    /** The hand-written batcher against raw, median over rounds: what batching itself costs. */
    batchFloorOverRaw: median(perRound('scriptUs', 'batch-floor', 'raw')),
    elementOverRawWall: median(perRound('wallUs', 'raw', 'element')),
    samples: samples.map((s) => ({ ...s, scriptUs: round(s.scriptUs), taskUs: round(s.taskUs), wallUs: round(s.wallUs) })),
    scriptUs: Object.fromEntries(KINDS.map((k) => [k, mean(k, 'scriptUs')])),
    taskUs: Object.fromEntries(KINDS.map((k) => [k, mean(k, 'taskUs')])),
    wallUs: Object.fromEntries(KINDS.map((k) => [k, mean(k, 'wallUs')])),
    /** floor CPU / element CPU per round: ≥ 0.90 means the element costs at most ~11 % more than the floor. */
    floorOverElementPerRound: floorOverElement.map((v) => round(v)),
    /** Wall-clock throughput of the element relative to raw, per round (raw time / element time). */
    elementOverRawWallPerRound: perRound('wallUs', 'raw', 'element').map((v) => round(v)),
    floorOverRawWallPerRound: perRound('wallUs', 'raw', 'floor').map((v) => round(v)),
  };
}

// ---------------------------------------------------------------- work per message

function sampledBytes(node) {
  let total = node.selfSize;
  for (const child of node.children) total += sampledBytes(child);
  return total;
}

/** Bytes allocated per message, estimated by V8's sampling heap profiler (collected objects included). */
async function allocationsPerMessage(b, url, kind, count) {
  await b.page.evaluate((k, u) => window.bench.prepare(k, u), kind, url);
  await b.page.evaluate((n) => window.bench.burst(n), 1_000);
  await b.cdp.send('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await b.page.evaluate((n) => window.bench.burst(n), count);
  const { profile } = await b.cdp.send('HeapProfiler.stopSampling');
  await b.page.evaluate(() => window.bench.teardown());
  return sampledBytes(profile.head) / count;
}

/** Timer calls (setTimeout, clearTimeout, setInterval) made while `count` messages arrive. */
async function timersDuringBurst(b, url, kind, count, attributes) {
  await b.page.evaluate((k, u, a) => window.bench.prepare(k, u, a), kind, url, attributes);
  await b.page.evaluate(() => {
    window.bench.installTimers();
    window.bench.resetTimerCounts();
  });
  const burst = await b.page.evaluate((n) => window.bench.burst(n), count);
  const timers = await b.page.evaluate(() => {
    const counts = window.bench.timerCounts();
    window.bench.uninstallTimers();
    return counts;
  });
  await b.page.evaluate(() => window.bench.teardown());
  const calls = timers.created + timers.cleared + timers.intervals;
  return { calls, perMessage: calls / count, wallMs: burst.wallMs, ...timers };
}

export async function benchWork({ b, burstUrl, quick }) {
  const count = quick ? 5_000 : 20_000;
  // Default settings (interval 25 s): the burst ends long before a heartbeat is due, so every
  // timer call seen here would be per-message work.
  const element = await timersDuringBurst(b, burstUrl, 'element', count);
  const floor = await timersDuringBurst(b, burstUrl, 'floor', count);
  // A fast heartbeat (200 ms) during the burst: timers follow the interval, not the messages.
  const fastHeartbeat = await timersDuringBurst(b, burstUrl, 'element', count, { interval: 200, timeout: 200 });
  // batch="frame": timers stay at 0; animation frames follow the frames, not the messages.
  const batch = await timersDuringBurst(b, burstUrl, 'batch', count);
  const allocations = {};
  for (const kind of ['raw', 'floor', 'element', 'batch']) allocations[kind] = round(await allocationsPerMessage(b, burstUrl, kind, count), 1);
  return { count, element, floor, fastHeartbeat, batch, allocationsBytesPerMessage: allocations };
}

