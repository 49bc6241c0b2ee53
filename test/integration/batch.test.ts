import { expect, waitUntil } from '@open-wc/testing';
import '../../src/heartbeat-socket-define.js';
import type { HeartbeatSocketElement } from '../../src/heartbeat-socket-element.js';
import { recordEvents } from '../helpers/mock.js';
import { close as closeSockets, newTag, send, serverInfo, stats, wsUrl, type ServerInfo } from '../helpers/server.js';

// batch="frame" (and a window in ms) in a real browser against the real echo server: a burst
// comes back as a few `messages` events that hold every message once, in order.

const EVENTS = ['open', 'message', 'messages', 'close', 'error', 'status-change', 'heartbeat'];

describe('<heartbeat-socket batch> against a real server', function () {
  this.timeout(20_000);
  let info: ServerInfo;
  const elements: HeartbeatSocketElement[] = [];

  before(async () => {
    info = await serverInfo();
  });

  afterEach(() => {
    for (const el of elements.splice(0)) el.remove();
  });

  async function make(attributes: Record<string, string>) {
    const el = document.createElement('heartbeat-socket');
    const log = recordEvents(el, EVENTS);
    for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
    document.body.append(el);
    elements.push(el);
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    return { el, log };
  }

  const batches = (log: Array<{ type: string; detail: any }>) => log.filter((e) => e.type === 'messages').map((e) => e.detail.data as unknown[]);

  for (const count of [1, 50, 2000]) {
    it(`batch="frame": an echoed burst of ${count} arrives once each, in order, in few messages events, no message events`, async () => {
      const tag = newTag();
      // A heartbeat during the burst: pongs must stay out of the batches.
      const { el, log } = await make({ url: wsUrl(info, tag), batch: 'frame', interval: '50', timeout: '2000' });
      const sent = Array.from({ length: count }, (_, i) => `m${i}`);
      for (const text of sent) expect(el.send(text)).to.equal(true);
      await waitUntil(() => batches(log).flat().length >= count, `only ${batches(log).flat().length} of ${count} arrived`, { timeout: 10_000 });
      const received = batches(log).flat();
      expect(received).to.deep.equal(sent);
      expect(log.filter((e) => e.type === 'message')).to.have.length(0);
      // Frames run at most every ~16 ms; a burst that lands within a few frames makes few events.
      if (count > 1) expect(batches(log).length).to.be.below(count);
      expect(batches(log).every((items) => items.length > 0)).to.equal(true);
    });
  }

  it('batch="frame" with format="json": items are the parsed values', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), batch: 'frame', format: 'json' });
    const sent = Array.from({ length: 100 }, (_, i) => ({ i, text: `v${i}` }));
    for (const value of sent) el.send(value);
    await waitUntil(() => batches(log).flat().length >= sent.length, 'not all arrived', { timeout: 10_000 });
    expect(batches(log).flat()).to.deep.equal(sent);
  });

  it('each messages event comes in its own animation frame (or, in a hidden page, without frames)', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), batch: 'frame' });
    let frame = 0;
    let running = true;
    const countFrames = () => {
      frame++;
      if (running) requestAnimationFrame(countFrames);
    };
    requestAnimationFrame(countFrames);
    // The runner may show this page in a background tab: hidden, no frames at all. The batch
    // then goes after a task, which is the fallback under test in that case.
    const hiddenAtStart = document.visibilityState === 'hidden';
    let visibilityChanges = 0;
    const onVisibility = () => visibilityChanges++;
    document.addEventListener('visibilitychange', onVisibility);
    const frames: number[] = [];
    el.addEventListener('messages', () => frames.push(frame));
    for (let i = 0; i < 500; i++) el.send(`m${i}`);
    await waitUntil(() => batches(log).flat().length >= 500, 'not all arrived', { timeout: 10_000 });
    running = false;
    document.removeEventListener('visibilitychange', onVisibility);
    expect(batches(log).flat()).to.deep.equal(Array.from({ length: 500 }, (_, i) => `m${i}`));
    if (visibilityChanges > 0) return;
    if (hiddenAtStart) expect(frames.every((f) => f === 0), 'no frame ran in the hidden page').to.equal(true);
    else expect(new Set(frames).size, `frame numbers of the events: ${frames.join(' ')}`).to.equal(frames.length);
  });

  it('batch="50": a window in ms; the burst comes in fewer events than frames would give', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), batch: '50' });
    const sent = Array.from({ length: 500 }, (_, i) => `m${i}`);
    for (const text of sent) el.send(text);
    await waitUntil(() => batches(log).flat().length >= sent.length, 'not all arrived', { timeout: 10_000 });
    expect(batches(log).flat()).to.deep.equal(sent);
    expect(el.connection.options.batch).to.equal(50);
  });

  it('removing the batch attribute goes back to message events; setting the property turns it on', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), batch: 'frame' });
    el.send('a');
    await waitUntil(() => batches(log).length === 1, 'no messages event');
    el.removeAttribute('batch');
    await el.updateComplete;
    expect(el.connection.options.batch).to.equal('none');
    el.send('b');
    await waitUntil(() => log.some((e) => e.type === 'message'), 'no message event');
    expect(log.filter((e) => e.type === 'message').map((e) => e.detail.data)).to.deep.equal(['b']);
    el.batch = 'frame';
    await el.updateComplete;
    el.send('c');
    await waitUntil(() => batches(log).length === 2, 'no second messages event');
    expect(batches(log)).to.deep.equal([['a'], ['c']]);
  });

  it("the server's last message before its close (1000) is delivered before close", async () => {
    const tag = newTag();
    const { log } = await make({ url: wsUrl(info, tag), batch: 'frame' });
    await send(tag, 'last words');
    await closeSockets(tag, 1000, 'bye');
    await waitUntil(() => log.some((e) => e.type === 'close'), 'no close', { timeout: 5000 });
    const order = log.filter((e) => e.type === 'messages' || e.type === 'close').map((e) => e.type);
    expect(order).to.deep.equal(['messages', 'close']);
    expect(batches(log)).to.deep.equal([['last words']]);
  });

  it('removing the element with messages waiting delivers them before its close', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), batch: '60000' });
    for (let i = 0; i < 20; i++) el.send(`m${i}`);
    await waitUntil(async () => (await stats(tag)).received.length >= 20, 'server did not get them', { timeout: 5000 });
    // Echoes are on their way; the 60 s window holds them until the element goes.
    await new Promise((resolve) => setTimeout(resolve, 200));
    el.remove();
    // Removal closes after the current task (a move within the document keeps the socket).
    await waitUntil(() => log.some((e) => e.type === 'close'), 'no close after removal', { timeout: 5000 });
    const order = log.filter((e) => e.type === 'messages' || e.type === 'close').map((e) => e.type);
    expect(order).to.deep.equal(['messages', 'close']);
    expect(batches(log)[0]).to.deep.equal(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });
});
