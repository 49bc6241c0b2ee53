// @web/test-runner plugin: a second page, driven through puppeteer and the DevTools protocol, for
// faults that would also cut the test page off from the runner: the browser's own offline mode,
// and freezing the page (timers and sockets stop as on a sleeping machine). The test page stays
// connected and asks for each step:
//
//   executeServerCommand('page-control', { action: 'available' }) → whether this engine can (Chromium)
//   executeServerCommand('page-control', { action: 'open', path: '/test/fixtures/harness.html' }) → id
//   { action: 'eval', id, expression }        → the JSON value of `expression` in that page
//   { action: 'wait', id, expression, ms }    → waits until `expression` is truthy there
//   { action: 'offline', id, on }             → the page's network offline / online
//   { action: 'freeze', id, ms, during }      → frozen for ms; `during` is a fault-server payload
//   { action: 'crash', id }                   → the page's renderer crashes
//   { action: 'close', id }

const MAX_MS = 30_000;
const clampMs = (ms) => Math.min(Math.max(Number(ms) || 0, 0), MAX_MS);

const hasDevTools = (browser) => browser.type === 'puppeteer' && /^Chrom/.test(browser.name) && typeof browser.getPage === 'function';

export function pageControlPlugin({ faultServer } = {}) {
  const pages = new Map();
  let nextId = 1;

  function entry(id) {
    const found = pages.get(id);
    if (!found) throw new Error(`page-control: no page ${id}`);
    return found;
  }

  return {
    name: 'page-control',
    async executeCommand({ command, payload, session }) {
      if (command !== 'page-control') return undefined;
      const action = payload?.action;
      // Firefox through puppeteer has pages too, but no DevTools protocol (and its offline mode
      // does not cut a loopback socket, NOTES.md); WebKit is not driven by puppeteer at all.
      if (action === 'available') return hasDevTools(session.browser);
      if (action === 'open') {
        if (!hasDevTools(session.browser)) throw new Error('page-control needs Chromium (the DevTools protocol)');
        const testPage = session.browser.getPage(session.id);
        const page = await testPage.browserContext().newPage();
        const cdp = await page.createCDPSession();
        await cdp.send('Network.enable');
        const origin = new URL(testPage.url()).origin;
        await page.goto(origin + payload.path, { waitUntil: 'load' });
        await page.waitForFunction('window.harness !== undefined', { timeout: 10_000 });
        const id = nextId++;
        pages.set(id, { page, cdp, sessionId: session.id });
        return id;
      }
      const { page, cdp } = entry(payload?.id);
      switch (action) {
        case 'eval':
          return page.evaluate(String(payload.expression));
        case 'wait':
          await page.waitForFunction(String(payload.expression), { timeout: clampMs(payload.ms ?? 5000), polling: 5 });
          return true;
        case 'offline':
          await cdp.send('Network.emulateNetworkConditions', {
            offline: Boolean(payload.on),
            latency: 0,
            downloadThroughput: -1,
            uploadThroughput: -1,
          });
          return Date.now();
        case 'freeze': {
          const ms = clampMs(payload.ms);
          await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
          const frozenAt = Date.now();
          if (payload.during && faultServer) {
            await faultServer.executeCommand({ command: 'fault-server', payload: payload.during, session });
          }
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - (Date.now() - frozenAt))));
          await cdp.send('Page.setWebLifecycleState', { state: 'active' });
          return { frozenAt, resumedAt: Date.now() };
        }
        case 'crash':
          // The renderer of that page dies (sharing tests: a holder that cannot say goodbye).
          pages.delete(payload.id);
          // Neither call is awaited: the target is gone before it answers.
          cdp.send('Page.crash').catch(() => undefined);
          setTimeout(() => page.close().catch(() => undefined), 1000);
          return true;
        case 'close':
          pages.delete(payload.id);
          await page.close();
          return true;
        default:
          throw new Error(`page-control: unknown action ${JSON.stringify(action)}`);
      }
    },
    async serverStop() {
      for (const { page } of pages.values()) await page.close().catch(() => undefined);
      pages.clear();
    },
  };
}
