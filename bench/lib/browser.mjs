// Debian's Chromium through puppeteer-core (no browser download), plus a DevTools session on the
// bench page for metrics, forced GC and heap usage.
import puppeteer from 'puppeteer-core';
import { CHROMIUM_FLAGS, chromiumPath } from '../../test/chromium.mjs';

export { CHROMIUM_FLAGS, chromiumPath };

export async function launchBrowser() {
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_FLAGS,
    protocolTimeout: 300_000,
  });
  return browser;
}

/** Opens the bench page and a DevTools session with CPU-time metrics on. */
export async function openBenchPage(browser, origin) {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error?.message ?? error)));
  await page.goto(`${origin}/bench/page.html`, { waitUntil: 'load' });
  await page.waitForFunction('window.bench && window.bench.ready === true', { timeout: 30_000 });
  const cdp = await page.createCDPSession();
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  await cdp.send('HeapProfiler.enable');
  return {
    page,
    cdp,
    pageErrors,
    /** Performance.getMetrics as a name → value map (durations in seconds). */
    async metrics() {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return Object.fromEntries(metrics.map(({ name, value }) => [name, value]));
    },
    /** Forced full GCs, then the used JS heap in bytes. */
    async heapAfterGc() {
      for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      return usedSize;
    },
  };
}
