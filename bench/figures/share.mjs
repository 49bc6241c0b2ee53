// Sharing (issue 10), share="tabs" in Chromium against the fault server:
// - sockets at the server for 1, 5 and 20 pages of one group (iframes of one tab): 1 each time;
// - takeover: the page holding the socket goes away (an iframe removed; a tab closed) → the
//   moment the server sees the next socket open, and the moment every other page saw `open`;
//   median and worst of several runs;
// - per-message script CPU (DevTools ScriptDuration, threadTicks) in a follower tab, against an
//   unshared element in another tab of the same run, same burst size;
// - sizes: dist/heartbeat-socket.js and dist/heartbeat-socket-share.js (gzip 9).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { median, sleep, round } from '../lib/stats.mjs';

const gzip = (bytes) => zlib.gzipSync(bytes, { level: 9 }).length;

async function waitFor(check, what, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`share bench: timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function openGroupPage(browser, origin) {
  const page = await browser.newPage();
  await page.goto(`${origin}/bench/share.html`, { waitUntil: 'load' });
  await page.waitForFunction('window.group && window.group.ready === true', { timeout: 30_000 });
  return page;
}

let tagCounter = 0;
const newTag = () => `share-bench-${Date.now().toString(36)}-${++tagCounter}`;

export async function benchShareSize({ root }) {
  const read = (file) => fs.readFileSync(path.join(root, file));
  const standalone = read('dist/heartbeat-socket.js');
  const chunk = read('dist/heartbeat-socket-share.js');
  return {
    standalone: { raw: standalone.length, gzip: gzip(standalone) },
    shareChunk: { raw: chunk.length, gzip: gzip(chunk) },
  };
}

export async function benchShare({ browser, origin, fault, quick, log }) {
  const wsUrl = (tag) => `ws://127.0.0.1:${fault.info().wsPort}/?tag=${tag}`;
  const stats = (tag) => fault.handle({ action: 'stats', tag });

  // ---- sockets per group size
  const sockets = [];
  {
    const host = await openGroupPage(browser, origin);
    for (const pages of quick ? [1, 5] : [1, 5, 20]) {
      const tag = newTag();
      for (let i = 0; i < pages; i++) await host.evaluate((url) => window.group.addFrame({ url, share: 'tabs' }), wsUrl(tag));
      await waitFor(
        () => host.evaluate((n) => window.group.frames.every((_, i) => window.group.frameGroup(i).status === 'open') && window.group.frames.length === n, pages),
        `${pages} pages open`,
      );
      await sleep(300);
      const s = stats(tag);
      sockets.push({ pages, open: s.open, opened: s.opened, maxOpen: s.maxOpen });
      log(`bench: share: ${pages} pages → ${s.open} socket(s) open at the server, ${s.opened} opened in all`);
      await host.evaluate(() => window.group.removeAllFrames());
      await waitFor(() => stats(tag).open === 0, 'group closed');
    }
    await host.close();
  }

  // ---- takeover: an iframe holding the socket removed
  const runs = quick ? 3 : 9;
  const frameTakeovers = [];
  {
    const host = await openGroupPage(browser, origin);
    for (let run = 0; run < runs; run++) {
      const tag = newTag();
      for (let i = 0; i < 3; i++) await host.evaluate((url) => window.group.addFrame({ url, share: 'tabs' }), wsUrl(tag));
      await waitFor(() => host.evaluate(() => window.group.frames.every((_, i) => window.group.frameGroup(i).status === 'open')), 'group open');
      const holder = await host.evaluate(() => window.group.frames.findIndex((_, i) => window.group.frameGroup(i).holding));
      const removedAt = await host.evaluate((i) => window.group.removeFrame(i), holder);
      await waitFor(() => stats(tag).opened === 2, 'the next socket');
      const reopenedAt = fault.handle({ action: 'open-times', tag })[1];
      await waitFor(
        () => host.evaluate(() => window.group.frames.every((f, i) => !f.isConnected || window.group.frameGroup(i).opens === 2)),
        'the others open again',
      );
      const allOpenAt = Date.now();
      frameTakeovers.push({ serverMs: reopenedAt - removedAt, pagesMs: allOpenAt - removedAt, maxOpen: stats(tag).maxOpen });
      await host.evaluate(() => window.group.removeAllFrames());
      await waitFor(() => stats(tag).open === 0, 'group closed');
    }
    await host.close();
  }

  // ---- takeover: a tab holding the socket closed
  const tabTakeovers = [];
  for (let run = 0; run < (quick ? 2 : 5); run++) {
    const tag = newTag();
    const tabs = [];
    for (let i = 0; i < 3; i++) {
      const tab = await openGroupPage(browser, origin);
      await tab.evaluate((url) => window.group.add({ url, share: 'tabs' }), wsUrl(tag));
      tabs.push(tab);
    }
    for (const tab of tabs) await waitFor(() => tab.evaluate(() => window.group.status === 'open'), 'tab open');
    let holder;
    for (const tab of tabs) if (await tab.evaluate(() => window.group.holding)) holder = tab;
    const others = tabs.filter((tab) => tab !== holder);
    const closedAt = Date.now();
    await holder.close();
    await waitFor(() => stats(tag).opened === 2, 'the next socket');
    const reopenedAt = fault.handle({ action: 'open-times', tag })[1];
    for (const tab of others) await waitFor(() => tab.evaluate(() => window.group.opens === 2), 'the others open again');
    tabTakeovers.push({ serverMs: reopenedAt - closedAt, pagesMs: Date.now() - closedAt, maxOpen: stats(tag).maxOpen });
    for (const tab of others) await tab.close();
  }

  // ---- per-message script cost: a follower tab against an unshared element's tab
  const count = quick ? 2_000 : 10_000;
  const rounds = quick ? 2 : 4;
  const sharedTag = newTag();
  const ownTag = newTag();
  const holderTab = await openGroupPage(browser, origin);
  await holderTab.evaluate((url) => window.group.add({ url, share: 'tabs' }), wsUrl(sharedTag));
  await waitFor(() => holderTab.evaluate(() => window.group.status === 'open' && window.group.holding), 'holder open');
  const followerTab = await openGroupPage(browser, origin);
  await followerTab.evaluate((url) => window.group.add({ url, share: 'tabs' }), wsUrl(sharedTag));
  const ownTab = await openGroupPage(browser, origin);
  await ownTab.evaluate((url) => window.group.add({ url }), wsUrl(ownTag));
  for (const tab of [followerTab, ownTab]) await waitFor(() => tab.evaluate(() => window.group.status === 'open'), 'tab open');
  const sessions = new Map();
  for (const tab of [holderTab, followerTab, ownTab]) {
    const cdp = await tab.createCDPSession();
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    await cdp.send('HeapProfiler.enable');
    sessions.set(tab, cdp);
  }
  const scriptSeconds = async (tab) => {
    const { metrics } = await sessions.get(tab).send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'ScriptDuration').value;
  };
  const burst = async (tag, tabs) => {
    for (const tab of tabs) await sessions.get(tab).send('HeapProfiler.collectGarbage');
    const before = await Promise.all(tabs.map(async (tab) => ({ script: await scriptSeconds(tab), messages: await tab.evaluate(() => window.group.messages) })));
    for (let i = 0; i < count; i++) fault.handle({ action: 'send', tag, data: `m${i}` });
    await Promise.all(tabs.map((tab, k) => waitFor(() => tab.evaluate((n) => window.group.messages >= n, before[k].messages + count), 'burst delivered', 60_000)));
    return Promise.all(tabs.map(async (tab, k) => ((await scriptSeconds(tab)) - before[k].script) * 1e6 / count));
  };
  const cost = { follower: [], holder: [], own: [] };
  for (let round_ = 0; round_ < rounds; round_++) {
    // Alternate the order, so neither burst always runs on a warmer machine.
    const shared = async () => {
      const [holderUs, followerUs] = await burst(sharedTag, [holderTab, followerTab]);
      cost.holder.push(holderUs);
      cost.follower.push(followerUs);
    };
    const own = async () => cost.own.push((await burst(ownTag, [ownTab]))[0]);
    if (round_ % 2) {
      await own();
      await shared();
    } else {
      await shared();
      await own();
    }
  }
  for (const tab of [holderTab, followerTab, ownTab]) await tab.close();
  const ratios = cost.follower.map((f, i) => f / cost.own[i]);

  const summary = (list) => ({
    medianMs: round(median(list.map((t) => t.serverMs)), 1),
    worstMs: Math.max(...list.map((t) => t.serverMs)),
    pagesMedianMs: round(median(list.map((t) => t.pagesMs)), 1),
    pagesWorstMs: Math.max(...list.map((t) => t.pagesMs)),
    maxOpen: Math.max(...list.map((t) => t.maxOpen)),
    runs: list,
  });
  return {
    sockets,
    takeover: { iframe: summary(frameTakeovers), tab: summary(tabTakeovers) },
    perMessage: {
      count,
      rounds,
      followerUs: round(median(cost.follower), 2),
      holderUs: round(median(cost.holder), 2),
      ownUs: round(median(cost.own), 2),
      followerOverOwn: round(median(ratios), 3),
      raw: cost,
    },
  };
}
