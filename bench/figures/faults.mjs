// Detection and recovery, with <heartbeat-socket> in Chromium against the fault server of the
// integration tests (test/server/fault-server.mjs), which the page drives through
// `window.benchServer(payload)`.
import { median, round } from '../lib/stats.mjs';

let tagCounter = 0;
const nextTag = (prefix) => `${prefix}-${Date.now().toString(36)}-${++tagCounter}`;

/**
 * Detection: through the fault server's TCP proxy; after a known last inbound message the path
 * goes silent (no bytes either way, no FIN, no RST). Detection = `close` − last inbound message.
 */
export async function benchDetection({ b, fault, quick, log }) {
  const { proxyPort } = fault.handle({ action: 'info' });
  const interval = 300;
  const timeout = 200;
  const wanted = quick ? 5 : 9;
  const runs = [];
  let attempts = 0;
  while (runs.length < wanted && attempts < wanted * 2) {
    attempts++;
    const tag = nextTag('detect');
    try {
      const run = await b.page.evaluate((args) => window.bench.detectionRun(args), {
        url: `ws://127.0.0.1:${proxyPort}/bench?tag=${tag}`,
        tag,
        interval,
        timeout,
      });
      // A valid run: nothing arrived after the marker, and the path went silent before a ping.
      const valid = run.inboundAfterMarker === 0 && run.silenceLagMs < interval / 2 && run.code >= 4000 && run.code <= 4999;
      if (valid) runs.push(run);
      log?.(`  detection run ${runs.length}/${wanted}: ${run.detectionMs.toFixed(1)} ms (${run.code})${valid ? '' : ' — discarded'}`);
    } finally {
      fault.handle({ action: 'reset', tag });
    }
  }
  const ratios = runs.map((run) => run.detectionMs / (interval + timeout));
  return {
    interval,
    timeout,
    runs: runs.map((run) => ({ ...run, detectionMs: round(run.detectionMs, 1), silenceLagMs: round(run.silenceLagMs, 1) })),
    medianMs: median(runs.map((run) => run.detectionMs)),
    medianRatio: median(ratios),
    maxRatio: Math.max(...ratios),
  };
}

/**
 * Recovery: the server refuses upgrades (503) and drops the socket; the element retries with
 * backoff. When retry `allowOnAttempt` is announced, the server accepts again — `at` a fraction
 * of the announced delay later (0 = at once, the worst case). Recovery = `open` − that moment.
 */
export async function benchRecovery({ b, fault, quick, log }) {
  const { wsPort } = fault.handle({ action: 'info' });
  const url = (tag) => `ws://127.0.0.1:${wsPort}/bench?tag=${tag}`;
  const reconnectDelay = 100;
  const allowOnAttempt = 3; // retries 1 and 2 are refused; retry 3 waits 200–400 ms
  const count = quick ? 5 : 9;

  const handshakeTag = nextTag('handshake');
  const handshakes = await b.page.evaluate((u, n) => window.bench.handshakes(u, n), url(handshakeTag), quick ? 9 : 15);
  fault.handle({ action: 'reset', tag: handshakeTag });
  const handshakeMs = median(handshakes);
  const lateness = await b.page.evaluate(() => window.bench.timerLateness(250, 9));

  const runOnce = async (allowAt) => {
    const tag = nextTag('recover');
    try {
      return await b.page.evaluate((args) => window.bench.recoveryRun(args), { url: url(tag), tag, reconnectDelay, allowOnAttempt, allowAt });
    } finally {
      fault.handle({ action: 'reset', tag });
    }
  };

  // The server comes back at a moment unrelated to the client's schedule: spread over the delay.
  const anytime = [];
  for (let i = 0; i < count; i++) {
    const allowAt = (i + 0.5) / count;
    const run = await runOnce(allowAt);
    anytime.push({ allowAt: round(allowAt), ...run, budgetMs: run.delay + handshakeMs, ratio: run.recoveryMs / (run.delay + handshakeMs) });
    log?.(`  recovery (server back ${Math.round(allowAt * 100)} % into the delay): ${run.recoveryMs.toFixed(1)} ms, delay ${run.delay} ms`);
  }

  // Worst case: the server is back the moment the retry is announced. Paired with an ideal
  // hand-written retry (setTimeout(delay) then new WebSocket) with the same delay.
  const worst = [];
  for (let i = 0; i < count; i++) {
    const run = await runOnce(0);
    const idealTag = nextTag('ideal');
    const idealMs = await b.page.evaluate((u, d) => window.bench.idealRetry(u, d), url(idealTag), run.delay);
    fault.handle({ action: 'reset', tag: idealTag });
    worst.push({ ...run, idealMs, overMs: run.recoveryMs - run.delay, idealOverMs: idealMs - run.delay });
    log?.(`  recovery (server back at the announcement): ${(run.recoveryMs - run.delay).toFixed(1)} ms beyond the delay; ideal retry ${(idealMs - run.delay).toFixed(1)} ms`);
  }

  const tidy = (runs) => runs.map((run) => Object.fromEntries(Object.entries(run).map(([k, v]) => [k, round(v, 2)])));
  return {
    reconnectDelay,
    allowOnAttempt,
    handshakes: handshakes.map((v) => round(v, 2)),
    handshakeMs,
    timerLatenessMs: median(lateness),
    anytime: tidy(anytime),
    anytimeMedianRatio: median(anytime.map((run) => run.ratio)),
    anytimeMaxRatio: Math.max(...anytime.map((run) => run.ratio)),
    anytimeAllMet: anytime.every((run) => run.recoveryMs <= run.delay + handshakeMs),
    worst: tidy(worst),
    worstMedianOverMs: median(worst.map((run) => run.overMs)),
    worstIdealMedianOverMs: median(worst.map((run) => run.idealOverMs)),
    worstMedianRatioToIdeal: median(worst.map((run) => run.recoveryMs / run.idealMs)),
  };
}
