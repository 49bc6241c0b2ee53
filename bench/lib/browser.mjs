// Debian's Chromium through puppeteer-core (no browser download), plus a DevTools session on the
// bench page for metrics, forced GC and heap usage.
import fs from 'node:fs';
import puppeteer from 'puppeteer-core';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // The figures time timers: a headless page must not have them throttled.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export function chromiumPath() {
  const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((candidate) => candidate && fs.existsSync(candidate));
  if (!found) throw new Error('no Chromium found: install it (apt-get install -y chromium) or set CHROME_PATH');
  return found;
}

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
