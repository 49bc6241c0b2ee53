import { expect, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { settle } from '../helpers/element.js';
import { drop, mute, newTag, openSockets, send, serverInfo, stats, wsUrl, type ServerInfo } from '../helpers/server.js';

// share="tabs" against the real `ws` server. The "pages" are same-origin iframes of this test
// page: separate documents that share BroadcastChannel and Web Locks, in every engine; removing
// an iframe is the page going away. In Chromium, real tabs too (page-control). Each page runs
// dist/heartbeat-socket.js, which loads dist/heartbeat-socket-share.js next to it.

type Json = any;
interface SharePage {
  add(attributes: Record<string, string>): number;
  el(i?: number): Json;
  log(i?: number): Array<{ type: string; at: number; detail: Json }>;
  count(type: string, i?: number): number;
  messages(i?: number): unknown[];
  status(i?: number): string | undefined;
  send(data: unknown, i?: number): boolean;
}

const frames: HTMLIFrameElement[] = [];

async function openFrame(): Promise<{ frame: HTMLIFrameElement; page: SharePage }> {
  const frame = document.createElement('iframe');
  frame.src = '/test/fixtures/share-frame.html';
  document.body.append(frame);
  frames.push(frame);
  await waitUntil(() => (frame.contentWindow as Json)?.share !== undefined && customElementReady(frame), 'frame never loaded', { timeout: 10_000 });
  return { frame, page: (frame.contentWindow as Json).share as SharePage };
}

function customElementReady(frame: HTMLIFrameElement): boolean {
  return Boolean((frame.contentWindow as Json)?.customElements?.get('heartbeat-socket'));
}

async function groupOf(n: number, attributes: Record<string, string>) {
  const pages: Array<{ frame: HTMLIFrameElement; page: SharePage }> = [];
  for (let i = 0; i < n; i++) {
    const opened = await openFrame();
    opened.page.add({ share: 'tabs', ...attributes });
    pages.push(opened);
  }
  await waitUntil(() => pages.every(({ page }) => page.status() === 'open'), 'not every page open', { timeout: 10_000 });
  return pages;
}

/** The page whose document holds the socket. */
function holderIndex(pages: Array<{ page: SharePage }>): number {
  return pages.findIndex(({ page }) => page.el().holdsSharedSocket === true);
}

/** Samples the server's OPEN sockets of the tag every few ms while `during` runs. */
async function sampleOpen(tag: string, during: () => Promise<void>) {
  let most = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      most = Math.max(most, (await openSockets(tag)).open);
      await settle(5);
    }
  })();
  try {
    await during();
  } finally {
    running = false;
    await sampler;
  }
  return most;
}

describe('share="tabs"', function () {
  this.timeout(30_000);
  let info: ServerInfo;
  before(async () => {
    info = await serverInfo();
  });
  afterEach(async () => {
    for (const frame of frames.splice(0)) frame.remove();
    await settle(50);
  });

  for (const n of [1, 3, 5]) {
    it(`${n} page(s) → 1 connection at the server`, async () => {
      const tag = newTag();
      const pages = await groupOf(n, { url: wsUrl(info, tag) });
      await settle(200);
      expect((await stats(tag)).opened).to.equal(1);
      expect((await openSockets(tag)).maxOpen).to.equal(1);
      for (const { page } of pages) {
        expect(page.count('open')).to.equal(1);
        expect(page.el().getAttribute('status')).to.equal('open');
      }
    });
  }

  it('each page gets each broadcast exactly once, and every page’s sends arrive in its order', async () => {
    const tag = newTag();
    const pages = await groupOf(3, { url: wsUrl(info, tag) });
    for (let i = 0; i < 5; i++) await send(tag, `news-${i}`);
    await waitUntil(() => pages.every(({ page }) => page.count('message') >= 5), 'not every page heard every message');
    await settle(100);
    for (const { page } of pages) expect(page.messages()).to.deep.equal(['news-0', 'news-1', 'news-2', 'news-3', 'news-4']);

    pages.forEach(({ page }, k) => {
      for (let i = 0; i < 20; i++) expect(page.send(`p${k}-${i}`)).to.equal(true);
    });
    await waitUntil(async () => (await stats(tag)).received.filter((m) => m.startsWith('p')).length >= 60, 'not all sends arrived');
    const received = (await stats(tag)).received;
    for (let k = 0; k < 3; k++) {
      expect(received.filter((m) => m.startsWith(`p${k}-`))).to.deep.equal(Array.from({ length: 20 }, (_, i) => `p${k}-${i}`));
    }
    // The echoes of those sends are inbound messages too: each page got all 60 once.
    await waitUntil(() => pages.every(({ page }) => page.count('message') >= 65));
    await settle(100);
    for (const { page } of pages) expect(page.count('message')).to.equal(65);
  });

  it('batch="frame": every page gets each message once, in messages events', async () => {
    const tag = newTag();
    const pages = await groupOf(3, { url: wsUrl(info, tag), batch: 'frame' });
    for (let i = 0; i < 5; i++) await send(tag, `b-${i}`);
    const batched = (page: SharePage) => page.log().filter((e) => e.type === 'messages').flatMap((e) => e.detail.data);
    await waitUntil(() => pages.every(({ page }) => batched(page).length >= 5), 'not every page got every message');
    await settle(100);
    for (const { page } of pages) {
      expect(batched(page)).to.deep.equal(['b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
      expect(page.count('message')).to.equal(0);
    }
  });

  it('several elements in one page and in others: one socket, every element hears each broadcast once', async () => {
    const tag = newTag();
    const pages = await groupOf(2, { url: wsUrl(info, tag) });
    for (const { page } of pages) page.add({ share: 'tabs', url: wsUrl(info, tag) });
    await waitUntil(() => pages.every(({ page }) => page.status(1) === 'open'));
    await send(tag, 'hi');
    await waitUntil(() => pages.every(({ page }) => page.count('message', 0) === 1 && page.count('message', 1) === 1));
    expect((await stats(tag)).opened).to.equal(1);
  });

  it('closing the holder → a new socket within about a second, the others open again, never 2 open at the server', async () => {
    const tag = newTag();
    const pages = await groupOf(3, { url: wsUrl(info, tag) });
    const holder = holderIndex(pages);
    expect(holder).to.be.at.least(0);
    const others = pages.filter((_, i) => i !== holder);
    let tookOver = 0;
    const most = await sampleOpen(tag, async () => {
      const closedAt = Date.now();
      pages[holder]!.frame.remove();
      await waitUntil(async () => (await stats(tag)).opened === 2 && (await openSockets(tag)).open === 1, 'no new socket', {
        timeout: 3000,
        interval: 5,
      });
      tookOver = Date.now() - closedAt;
      await waitUntil(() => others.every(({ page }) => page.count('open') === 2), 'the other pages did not open again', { timeout: 3000 });
    });
    console.log(`tabs takeover after the holder's iframe was removed: ${tookOver} ms`);
    expect(tookOver).to.be.below(1500);
    expect(most, 'sampled OPEN sockets').to.be.at.most(1);
    expect((await openSockets(tag)).maxOpen).to.equal(1);
    for (const { page } of others) {
      const order = page.log().filter((e) => e.type === 'open' || e.type === 'close').map((e) => e.type);
      expect(order).to.deep.equal(['open', 'close', 'open']);
      expect(page.log().find((e) => e.type === 'close')!.detail.willReconnect).to.equal(true);
    }
    // The new holder serves everyone: a broadcast reaches both remaining pages once.
    await send(tag, 'after');
    await waitUntil(() => others.every(({ page }) => page.messages().includes('after')));
  });

  it('messages queued in the followers during the takeover are delivered, once, in order', async () => {
    const tag = newTag();
    const pages = await groupOf(3, { url: wsUrl(info, tag) });
    const holder = holderIndex(pages);
    // One of the two followers becomes the next holder; the other reaches it over the channel.
    const followers = pages.filter((_, i) => i !== holder);
    pages[holder]!.frame.remove();
    // Once each follower knows the holder is gone, before the new socket is open.
    for (const [k, { page }] of followers.entries()) {
      await waitUntil(() => page.status() !== 'open', 'a follower never noticed the takeover', { timeout: 3000, interval: 1 });
      expect(page.send(`during-${k}-1`)).to.equal(true);
      expect(page.send(`during-${k}-2`)).to.equal(true);
    }
    await waitUntil(async () => (await stats(tag)).received.length === 4, 'queued messages lost', { timeout: 3000 });
    await settle(200);
    const received = (await stats(tag)).received;
    for (const k of [0, 1]) expect(received.filter((m) => m.startsWith(`during-${k}-`))).to.deep.equal([`during-${k}-1`, `during-${k}-2`]);
    expect(received.length).to.equal(4);
    for (const { page } of followers) expect(page.el().queuedCount).to.equal(0);
  });

  it('the heartbeat still finds a silent server, and every page sees close then open', async () => {
    const tag = newTag();
    const pages = await groupOf(3, { url: wsUrl(info, tag), interval: '300', timeout: '300', 'reconnect-delay': '50' });
    await mute(tag);
    await waitUntil(() => pages.every(({ page }) => page.count('close') === 1), 'the heartbeat never declared it dead', { timeout: 5000 });
    await mute(tag, false);
    await waitUntil(() => pages.every(({ page }) => page.count('open') === 2), 'not every page opened again', { timeout: 5000 });
    for (const { page } of pages) {
      const close = page.log().find((e) => e.type === 'close')!;
      expect(close.detail.code).to.be.within(4000, 4999);
      expect(close.detail.willReconnect).to.equal(true);
    }
    expect((await openSockets(tag)).maxOpen).to.equal(1);
  });

  it('a dropped socket: every page sees close and open, on one new socket', async () => {
    const tag = newTag();
    const pages = await groupOf(3, { url: wsUrl(info, tag), 'reconnect-delay': '50' });
    await drop(tag);
    await waitUntil(() => pages.every(({ page }) => page.count('open') === 2), 'not every page reopened', { timeout: 5000 });
    expect((await stats(tag)).opened).to.equal(2);
  });

  it('close() in a follower detaches it; the last close() closes the socket with 1000 within 1 s', async () => {
    const tag = newTag();
    const pages = await groupOf(3, { url: wsUrl(info, tag) });
    const holder = holderIndex(pages);
    const order = [...pages.keys()].sort((a, b) => (a === holder ? -1 : b === holder ? 1 : 0)); // the holder first
    pages[order[0]!]!.page.el().close(); // the holder: another page takes over
    expect(pages[order[0]!]!.page.status()).to.equal('closed');
    await waitUntil(() => pages[order[1]!]!.page.count('open') === 2, 'no takeover after the holder closed', { timeout: 3000 });
    pages[order[1]!]!.page.el().close(); // it may hold the socket by now: then the last page takes over
    await settle(100);
    await waitUntil(() => pages[order[2]!]!.page.status() === 'open', 'the last page is not open', { timeout: 3000 });
    const closedAt = Date.now();
    pages[order[2]!]!.page.el().close();
    await waitUntil(async () => (await stats(tag)).current === 0, 'socket still open', { timeout: 1000, interval: 10 });
    expect(Date.now() - closedAt).to.be.below(1000);
    expect((await stats(tag)).closes.every((c) => c.code === 1000)).to.equal(true);
    expect((await openSockets(tag)).maxOpen).to.equal(1);
  });

  it('reconnect() in a follower reconnects the shared socket', async () => {
    const tag = newTag();
    const pages = await groupOf(3, { url: wsUrl(info, tag) });
    const follower = pages.find((_, i) => i !== holderIndex(pages))!;
    follower.page.el().reconnect();
    await waitUntil(() => pages.every(({ page }) => page.count('open') === 2), 'not every page reopened', { timeout: 5000 });
    expect((await stats(tag)).opened).to.equal(2);
    expect((await openSockets(tag)).maxOpen).to.equal(1);
  });

  it('a page that joins later gets open, and the holder’s state', async () => {
    const tag = newTag();
    await groupOf(2, { url: wsUrl(info, tag) });
    const late = await openFrame();
    late.page.add({ share: 'tabs', url: wsUrl(info, tag) });
    await waitUntil(() => late.page.count('open') === 1, 'the latecomer never saw open', { timeout: 3000 });
    expect(late.page.status()).to.equal('open');
    expect((await stats(tag)).opened).to.equal(1);
  });

  it('churn: holders go away one after another while pages come; never two sockets, every send arrives', async function () {
    this.timeout(60_000);
    const tag = newTag();
    const pages = await groupOf(3, { url: wsUrl(info, tag) });
    let sent = 0;
    const most = await sampleOpen(tag, async () => {
      for (let round = 0; round < 6; round++) {
        const holder = holderIndex(pages);
        const [gone] = pages.splice(holder, 1);
        gone!.frame.remove();
        const fresh = await openFrame();
        fresh.page.add({ share: 'tabs', url: wsUrl(info, tag) });
        pages.push(fresh);
        for (const { page } of pages) {
          expect(page.send(`r${round}-${sent++}`), `send refused in round ${round}`).to.equal(true);
        }
        await waitUntil(() => pages.every(({ page }) => page.status() === 'open'), `round ${round}: not every page open`, { timeout: 5000 });
      }
      await waitUntil(async () => (await stats(tag)).received.length >= sent, 'sends lost', { timeout: 5000 }).catch(async (error) => {
        const received = (await stats(tag)).received;
        const missing = Array.from({ length: sent }, (_, i) => i).filter((i) => !received.some((m) => m.endsWith(`-${i}`)));
        console.log(`missing sends: ${missing.join(', ')}; queued: ${pages.map(({ page }) => page.el().queuedCount).join(', ')}`);
        throw error;
      });
    });
    expect(most, 'sampled OPEN sockets').to.be.at.most(1);
    expect((await openSockets(tag)).maxOpen).to.equal(1);
    const received = new Set((await stats(tag)).received);
    expect(received.size).to.equal(sent);
  });

  it('soak: a hundred reconnect cycles asked by followers, never two sockets at the server', async function () {
    this.timeout(60_000);
    const tag = newTag();
    const pages = await groupOf(3, { url: wsUrl(info, tag), interval: '1000', timeout: '500' });
    for (let cycle = 1; cycle < 100; cycle++) {
      const opens = pages[0]!.page.count('open');
      if (cycle % 25 === 0) await drop(tag);
      else pages[cycle % 3]!.page.el().reconnect();
      await waitUntil(() => pages.every(({ page }) => page.count('open') === opens + 1), `cycle ${cycle} never reopened`, {
        timeout: 10_000,
        interval: 2,
      });
    }
    expect((await stats(tag)).opened).to.equal(100);
    expect((await openSockets(tag)).maxOpen).to.equal(1);
  });

  it('where Web Locks or BroadcastChannel are missing: a socket of its own and one error that says so', async () => {
    const tag = newTag();
    const { frame, page } = await openFrame();
    const win = frame.contentWindow as Json;
    win.BroadcastChannel = undefined;
    page.add({ share: 'tabs', url: wsUrl(info, tag) });
    page.add({ share: 'tabs', url: wsUrl(info, tag) });
    await waitUntil(() => page.status(0) === 'open' && page.status(1) === 'open', 'no own socket', { timeout: 5000 });
    for (const i of [0, 1]) {
      const errors = page.log(i).filter((e) => e.type === 'error');
      expect(errors.map((e) => e.detail.code)).to.deep.equal(['share-unavailable']);
      expect(errors[0]!.detail.message).to.match(/Web Locks or BroadcastChannel/);
    }
    expect((await stats(tag)).opened).to.equal(2);
  });
});

describe('share="tabs" across real tabs (Chromium)', function () {
  this.timeout(30_000);
  let info: ServerInfo;
  const command = <T = Json>(payload: Record<string, unknown>) => executeServerCommand<T, Record<string, unknown>>('page-control', payload);
  const opened: number[] = [];

  before(async function () {
    info = await serverInfo();
    if (!navigator.userAgent.includes('Chrome')) this.skip();
  });
  afterEach(async () => {
    for (const id of opened.splice(0)) await command({ action: 'close', id }).catch(() => undefined);
  });

  async function tab(url: string) {
    const id = await command<number>({ action: 'open', path: '/test/fixtures/share-frame.html' });
    opened.push(id);
    await command({ action: 'eval', id, expression: `share.add(${JSON.stringify({ share: 'tabs', url })})` });
    return {
      id,
      eval: <T = Json>(expression: string) => command<T>({ action: 'eval', id, expression }),
      wait: (expression: string, ms = 5000) => command<boolean>({ action: 'wait', id, expression, ms }),
      close: async () => {
        opened.splice(opened.indexOf(id), 1);
        await command({ action: 'close', id });
      },
    };
  }

  it('3 tabs → 1 connection; closing the holder tab → one new socket, the others open again, a queued send delivered', async () => {
    const tag = newTag();
    const tabs = [];
    for (let i = 0; i < 3; i++) tabs.push(await tab(wsUrl(info, tag)));
    for (const t of tabs) await t.wait(`share.status() === 'open'`);
    expect((await stats(tag)).opened).to.equal(1);
    const holding = [];
    for (const t of tabs) holding.push(await t.eval<boolean>(`share.el().holdsSharedSocket`));
    expect(holding.filter(Boolean).length).to.equal(1);
    const holder = tabs[holding.indexOf(true)]!;
    const others = tabs.filter((t) => t !== holder);
    const most = await sampleOpen(tag, async () => {
      await holder.close();
      await others[0]!.eval(`share.send('queued-in-takeover')`);
      for (const t of others) await t.wait(`share.count('open') === 2`, 3000);
    });
    expect(most, 'sampled OPEN sockets').to.be.at.most(1);
    await waitUntil(async () => (await stats(tag)).received.includes('queued-in-takeover'), 'queued send lost');
    expect((await stats(tag)).opened).to.equal(2);
    expect((await openSockets(tag)).maxOpen).to.equal(1);
  });

  for (const how of ['crashes', 'navigates away'] as const) {
    it(`a holder tab that ${how}: the others take over on one new socket and every page opens again`, async () => {
      const tag = newTag();
      const tabs = [];
      for (let i = 0; i < 3; i++) tabs.push(await tab(wsUrl(info, tag)));
      for (const t of tabs) await t.wait(`share.status() === 'open'`);
      const holding = [];
      for (const t of tabs) holding.push(await t.eval<boolean>(`share.el().holdsSharedSocket`));
      const holder = tabs[holding.indexOf(true)]!;
      const others = tabs.filter((t) => t !== holder);
      const most = await sampleOpen(tag, async () => {
        if (how === 'crashes') {
          opened.splice(opened.indexOf(holder.id), 1);
          await command({ action: 'crash', id: holder.id });
        } else {
          await holder.eval(`setTimeout(() => location.assign('/test/fixtures/harness.html'), 0), true`);
        }
        for (const t of others) await t.wait(`share.count('open') === 2`, 3000);
      });
      expect(most, 'sampled OPEN sockets').to.be.at.most(1);
      expect((await stats(tag)).opened).to.equal(2);
      expect((await openSockets(tag)).maxOpen).to.equal(1);
      for (const t of others) {
        const close = await t.eval<Json>(`share.log().find((e) => e.type === 'close')`);
        expect(close.detail.willReconnect).to.equal(true);
        expect(await t.eval<string>(`share.status()`)).to.equal('open');
      }
    });
  }

  it('a frozen holder hands over: another tab holds the socket while it is frozen, one socket throughout', async () => {
    const tag = newTag();
    const tabs = [];
    for (let i = 0; i < 2; i++) tabs.push(await tab(wsUrl(info, tag)));
    for (const t of tabs) await t.wait(`share.status() === 'open'`);
    const holding = [];
    for (const t of tabs) holding.push(await t.eval<boolean>(`share.el().holdsSharedSocket`));
    const holder = tabs[holding.indexOf(true)]!;
    const other = tabs[holding.indexOf(false)]!;
    const most = await sampleOpen(tag, async () => {
      await command({ action: 'freeze', id: holder.id, ms: 1500 });
      await other.wait(`share.count('open') === 2`, 3000);
    });
    expect(most, 'sampled OPEN sockets').to.be.at.most(1);
    expect(await other.eval<boolean>(`share.el().holdsSharedSocket`)).to.equal(true);
    await holder.wait(`share.status() === 'open'`, 3000);
    expect((await openSockets(tag)).maxOpen).to.equal(1);
  });
});
