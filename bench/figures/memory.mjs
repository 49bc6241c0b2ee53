// Memory: create / connect / remove cycles of <heartbeat-socket> in Chromium. Heap after vs
// before with forced GC (DevTools HeapProfiler.collectGarbage, Runtime.getHeapUsage), timers
// still pending (instrumented setTimeout/clearTimeout), listeners left on window and document,
// sockets left open at the server. Baseline: the same cycles with a bare WebSocket.
async function listenerCount(b) {
  let total = 0;
  for (const expression of ['window', 'document']) {
    const { result } = await b.cdp.send('Runtime.evaluate', { expression });
    const { listeners } = await b.cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
    total += listeners.length;
    await b.cdp.send('Runtime.releaseObject', { objectId: result.objectId });
  }
  return total;
}

async function cycles(b, burst, kind, count, log) {
  const fn = kind === 'element' ? 'elementCycles' : 'rawCycles';
  // Warm-up: first-use costs (Lit templates, compiled code) are not growth.
  await b.page.evaluate((f, u) => window.bench[f](u, 20), fn, burst.url);
  await b.page.evaluate(() => {
    window.bench.installTimers();
    window.bench.resetTimerCounts();
  });
  const listenersBefore = await listenerCount(b);
  const heapBefore = await b.heapAfterGc();
  const started = performance.now();
  await b.page.evaluate((f, u, n) => window.bench[f](u, n), fn, burst.url, count);
  const elapsedMs = performance.now() - started;
  await b.page.evaluate(() => window.bench.sleep(200));
  const heapAfter = await b.heapAfterGc();
  const timers = await b.page.evaluate(() => {
    const counts = window.bench.timerCounts();
    window.bench.uninstallTimers();
    return counts;
  });
  const listenersAfter = await listenerCount(b);
  const server = burst.stats();
  log?.(`  memory ${kind}: ${count} cycles in ${(elapsedMs / 1000).toFixed(1)} s, heap ${heapBefore} → ${heapAfter} B, ${timers.pending} timers pending`);
  return {
    cycles: count,
    elapsedMs: Math.round(elapsedMs),
    heapBefore,
    heapAfter,
    growth: heapAfter - heapBefore,
    timers,
    listenersAdded: listenersAfter - listenersBefore,
    serverOpenSockets: server.open,
    elementsInPage: await b.page.evaluate(() => window.bench.elementCount()),
  };
}

export async function benchMemory({ b, burst, quick, log }) {
  const count = quick ? 200 : 1_000;
  const raw = await cycles(b, burst, 'raw', count, log);
  const element = await cycles(b, burst, 'element', count, log);
  return { raw, element };
}
