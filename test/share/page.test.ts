import { expect, waitUntil } from '@open-wc/testing';
import '../../src/heartbeat-socket-define.js';
import type { HeartbeatSocketElement } from '../../src/heartbeat-socket-element.js';
import { elementFactory, settle } from '../helpers/element.js';
import { drop, mute, newTag, openSockets, send, serverInfo, stats, wsUrl, type ServerInfo } from '../helpers/server.js';

// share="page" against the real `ws` server: the elements of this document with one url share
// one socket (docs/sharing.md).

type Log = Array<{ type: string; detail: any; at: number }>;
const count = (log: Log, type: string) => log.filter((e) => e.type === type).length;
const messages = (log: Log) => log.filter((e) => e.type === 'message').map((e) => e.detail.data);

describe('share="page"', function () {
  this.timeout(20_000);
  let info: ServerInfo;
  before(async () => {
    info = await serverInfo();
  });
  const { make, track, removeAll } = elementFactory();
  afterEach(() => removeAll());

  async function group(n: number, attributes: Record<string, string> = {}, tag = newTag()) {
    const made: Array<{ el: HeartbeatSocketElement; log: Log }> = [];
    for (let i = 0; i < n; i++) made.push(await make({ url: wsUrl(info, tag), share: 'page', ...attributes }));
    await waitUntil(() => made.every(({ el }) => el.status === 'open'), 'not all open', { timeout: 5000 });
    return { tag, made };
  }

  for (const n of [1, 3, 7]) {
    it(`${n} element(s) → 1 connection at the server, each dispatches open once`, async () => {
      const { tag, made } = await group(n);
      await settle(100);
      const s = await stats(tag);
      expect(s.opened).to.equal(1);
      expect((await openSockets(tag)).maxOpen).to.equal(1);
      for (const { el, log } of made) {
        expect(count(log, 'open')).to.equal(1);
        expect(el.getAttribute('status')).to.equal('open');
        expect(el.matches(':state(open)')).to.equal(true);
      }
    });
  }

  it('a server broadcast → one message event per element, exactly once', async () => {
    const { tag, made } = await group(3);
    for (let i = 0; i < 5; i++) expect(await send(tag, `news-${i}`)).to.equal(1);
    await waitUntil(() => made.every(({ log }) => count(log, 'message') >= 5), 'not every element heard every message');
    await settle(100);
    for (const { log } of made) expect(messages(log)).to.deep.equal(['news-0', 'news-1', 'news-2', 'news-3', 'news-4']);
  });

  it('each element’s sends arrive in its order, queued ones too', async () => {
    const tag = newTag();
    const elements: HeartbeatSocketElement[] = [];
    for (let k = 0; k < 3; k++) elements.push((await make({ url: wsUrl(info, tag), share: 'page' })).el);
    // Some before the socket opens (queued), some after.
    for (let i = 0; i < 10; i++) elements.forEach((el, k) => expect(el.send(`${'abc'[k]}-${i}`)).to.equal(true));
    await waitUntil(() => elements.every((el) => el.status === 'open'));
    for (let i = 10; i < 30; i++) elements.forEach((el, k) => el.send(`${'abc'[k]}-${i}`));
    await waitUntil(async () => (await stats(tag)).received.length >= 90, 'not all sends arrived');
    const received = (await stats(tag)).received;
    for (const prefix of ['a', 'b', 'c']) {
      const mine = received.filter((m) => m.startsWith(`${prefix}-`));
      expect(mine).to.deep.equal(Array.from({ length: 30 }, (_, i) => `${prefix}-${i}`));
    }
  });

  it('sends made before the element’s first update wait for the group and arrive, in order', async () => {
    const tag = newTag();
    const el = document.createElement('heartbeat-socket');
    track(el);
    el.setAttribute('share', 'page');
    el.setAttribute('url', wsUrl(info, tag));
    expect(el.send('early-1')).to.equal(true);
    document.body.append(el);
    expect(el.send('early-2')).to.equal(true);
    await waitUntil(async () => (await stats(tag)).received.length === 2, 'early sends lost', { timeout: 3000 });
    expect((await stats(tag)).received).to.deep.equal(['early-1', 'early-2']);
    expect(el.connection.queuedCount).to.equal(0);
  });

  it('close() before the sharing code has loaded: closed, no socket; reconnect() joins', async () => {
    const tag = newTag();
    const el = document.createElement('heartbeat-socket');
    track(el);
    const log: Log = [];
    el.addEventListener('status-change', (event) => log.push({ type: 'status-change', detail: event.detail, at: Date.now() }));
    el.setAttribute('share', 'page');
    el.setAttribute('url', wsUrl(info, tag));
    document.body.append(el);
    await el.updateComplete;
    el.close();
    expect(el.status).to.equal('closed');
    await settle(200);
    expect(el.getAttribute('status')).to.equal('closed');
    expect(log.map((e) => e.detail.status)).to.deep.equal(['closed']);
    expect((await stats(tag)).opened).to.equal(0);
    el.reconnect();
    await waitUntil(() => el.status === 'open', 'reconnect() did not join');
    expect((await stats(tag)).opened).to.equal(1);
  });

  it('removing one leaves the others open on the same socket; its status is closed', async () => {
    const { tag, made } = await group(3);
    const [gone, ...rest] = made;
    gone!.el.remove();
    await settle(50);
    expect(gone!.el.status).to.equal('closed');
    expect(count(gone!.log, 'close')).to.equal(1);
    expect(gone!.log.at(-1)!.detail).to.include({ willReconnect: false });
    for (const { el } of rest) expect(el.status).to.equal('open');
    expect(await send(tag, 'after')).to.equal(1);
    await waitUntil(() => rest.every(({ log }) => messages(log).includes('after')));
    expect(messages(gone!.log)).not.to.include('after');
    const s = await stats(tag);
    expect(s.opened).to.equal(1);
    expect(s.closes).to.deep.equal([]);
  });

  it('removing all → the server sees the close (1000) within 1 s', async () => {
    const { tag, made } = await group(3);
    const removedAt = Date.now();
    for (const { el } of made) el.remove();
    await waitUntil(async () => (await stats(tag)).current === 0, 'socket still open', { timeout: 1000, interval: 10 });
    expect(Date.now() - removedAt).to.be.below(1000);
    expect((await stats(tag)).closes.map((c) => c.code)).to.deep.equal([1000]);
  });

  it('close() detaches one element: it is closed and refuses sends; the others carry on', async () => {
    const { tag, made } = await group(3);
    const [closer, ...rest] = made;
    closer!.el.close();
    expect(closer!.el.status).to.equal('closed');
    expect(closer!.el.send('x')).to.equal(false);
    expect(closer!.log.filter((e) => e.type === 'error').at(-1)!.detail.code).to.equal('not-connected');
    for (const { el, log } of rest) {
      expect(el.status).to.equal('open');
      expect(count(log, 'error')).to.equal(0);
    }
    // reconnect() brings it back into the group, on the same socket.
    closer!.el.reconnect();
    await waitUntil(() => closer!.el.status === 'open');
    expect((await stats(tag)).opened).to.equal(1);
  });

  it('a closed element stays closed when a setting changes, and joins again on a new url', async () => {
    const { tag, made } = await group(2);
    const { el } = made[0]!;
    el.close();
    el.setAttribute('interval', '3000');
    await el.updateComplete;
    await settle(50);
    expect(el.status).to.equal('closed');
    const other = newTag();
    el.url = wsUrl(info, other);
    await waitUntil(() => el.status === 'open', 'a new url did not join');
    expect((await stats(other)).opened).to.equal(1);
    expect((await stats(tag)).current).to.equal(1);
  });

  it('the last element’s close() closes the socket with 1000', async () => {
    const { tag, made } = await group(2);
    for (const { el } of made) el.close();
    await waitUntil(async () => (await stats(tag)).current === 0, 'socket still open', { timeout: 1000, interval: 10 });
    expect((await stats(tag)).closes.map((c) => c.code)).to.deep.equal([1000]);
  });

  it('reconnect() on one element reconnects the group: every element sees close then open', async () => {
    const { tag, made } = await group(3);
    made[1]!.el.reconnect();
    await waitUntil(() => made.every(({ log }) => count(log, 'open') === 2), 'not every element reopened');
    for (const { log } of made) {
      const order = log.filter((e) => e.type === 'open' || e.type === 'close').map((e) => e.type);
      expect(order).to.deep.equal(['open', 'close', 'open']);
    }
    expect((await stats(tag)).opened).to.equal(2);
    expect((await openSockets(tag)).maxOpen).to.equal(1);
  });

  it('a dropped socket: every element sees close (willReconnect) and open again, on one new socket', async () => {
    const { tag, made } = await group(3, { 'reconnect-delay': '50' });
    await drop(tag);
    await waitUntil(() => made.every(({ log }) => count(log, 'open') === 2), 'not every element reopened', { timeout: 5000 });
    for (const { log } of made) expect(log.find((e) => e.type === 'close')!.detail.willReconnect).to.equal(true);
    expect((await stats(tag)).opened).to.equal(2);
  });

  for (const [interval, timeout] of [
    [300, 300],
    [200, 500],
  ] as const) {
    it(`the heartbeat (${interval}/${timeout}) finds a silent server; every element sees close then open`, async () => {
      const { tag, made } = await group(3, { interval: String(interval), timeout: String(timeout), 'reconnect-delay': '50' });
      await mute(tag);
      await waitUntil(() => made.every(({ log }) => count(log, 'close') === 1), 'the heartbeat never declared it dead', { timeout: 5000 });
      await mute(tag, false);
      await waitUntil(() => made.every(({ log }) => count(log, 'open') === 2), 'not every element reopened', { timeout: 5000 });
      for (const { log } of made) {
        expect(log.find((e) => e.type === 'close')!.detail.code).to.be.within(4000, 4999);
      }
      expect((await openSockets(tag)).maxOpen).to.equal(1);
    });
  }

  it('the first element’s settings rule the heartbeat; when it leaves, the next one’s apply', async () => {
    const tag = newTag();
    const first = await make({ url: wsUrl(info, tag), share: 'page', interval: '200', timeout: '1000' });
    const second = await make({ url: wsUrl(info, tag), share: 'page', interval: '5000', timeout: '1000' });
    await waitUntil(() => second.el.status === 'open');
    await waitUntil(() => count(second.log, 'heartbeat') >= 2, 'the first element’s 200 ms heartbeat did not run', { timeout: 3000 });
    first.el.remove();
    await settle(100);
    const beats = count(second.log, 'heartbeat');
    await settle(800);
    expect(count(second.log, 'heartbeat')).to.equal(beats); // 5000 ms now
    expect(second.el.status).to.equal('open');
  });

  it('a latecomer joins the open socket and gets its own open event', async () => {
    const { tag } = await group(2);
    const late = await make({ url: wsUrl(info, tag), share: 'page' });
    await waitUntil(() => count(late.log, 'open') === 1);
    expect(late.log.map((e) => e.type)).to.deep.equal(['status-change', 'open']);
    expect((await stats(tag)).opened).to.equal(1);
  });

  it('http:// and ws:// spellings of one url share one socket; other protocols do not', async () => {
    const tag = newTag();
    const a = await make({ url: wsUrl(info, tag), share: 'page' });
    const b = await make({ url: `http://127.0.0.1:${info.wsPort}/?tag=${tag}`, share: 'page' });
    const c = await make({ url: wsUrl(info, tag), share: 'page', protocols: 'chat' });
    await waitUntil(() => [a, b, c].every(({ el }) => el.status === 'open'));
    expect((await stats(tag)).opened).to.equal(2);
  });

  it('a changed url moves one element to another group', async () => {
    const { tag, made } = await group(3);
    const other = newTag();
    made[0]!.el.url = wsUrl(info, other);
    await waitUntil(() => made[0]!.el.status === 'open' && count(made[0]!.log, 'open') === 2);
    expect((await stats(tag)).current).to.equal(1);
    expect((await stats(other)).current).to.equal(1);
    await send(other, 'to-other');
    await waitUntil(() => messages(made[0]!.log).includes('to-other'));
    await settle(50);
    expect(messages(made[1]!.log)).not.to.include('to-other');
  });

  it('a refused send is an error on that element only', async () => {
    const { made } = await group(3);
    expect(made[2]!.el.send({ not: 'text' })).to.equal(false);
    expect(made[2]!.log.filter((e) => e.type === 'error').at(-1)!.detail.code).to.equal('invalid-data');
    for (const { log } of made.slice(0, 2)) expect(count(log, 'error')).to.equal(0);
  });

  for (const [name, value] of [
    ['interval', 'abc'],
    ['timeout', '-1'],
    ['reconnect-delay', 'soon'],
  ] as const) {
    it(`a bad ${name} on a shared element is one error on that element, and the default applies`, async () => {
      const tag = newTag();
      const first = await make({ url: wsUrl(info, tag), share: 'page', [name]: value });
      const second = await make({ url: wsUrl(info, tag), share: 'page' });
      await waitUntil(() => first.el.status === 'open' && second.el.status === 'open');
      await settle(50);
      expect(first.log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-option']);
      expect(count(second.log, 'error')).to.equal(0);
    });
  }

  it('batch="frame" (the ruling element’s): every element gets each message once, in messages events', async () => {
    const { tag, made } = await group(3, { batch: 'frame' });
    const batched = made.map(({ el }) => {
      const got: unknown[] = [];
      el.addEventListener('messages', (event) => got.push(...event.detail.data));
      return got;
    });
    for (let i = 0; i < 5; i++) await send(tag, `b-${i}`);
    await waitUntil(() => batched.every((got) => got.length >= 5), 'not every element got every message');
    await settle(100);
    for (const got of batched) expect(got).to.deep.equal(['b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
    for (const { log } of made) expect(count(log, 'message')).to.equal(0);
  });

  it('json format: each element gets the parsed value', async () => {
    const { tag, made } = await group(3, { format: 'json' });
    await send(tag, '{"n":1}');
    await waitUntil(() => made.every(({ log }) => count(log, 'message') === 1));
    for (const { log } of made) expect(messages(log)).to.deep.equal([{ n: 1 }]);
  });

  it('a move within the document keeps the shared socket', async () => {
    const { tag, made } = await group(2);
    const holder = document.createElement('div');
    document.body.append(holder);
    holder.append(made[0]!.el);
    await settle(50);
    expect(made[0]!.el.status).to.equal('open');
    expect((await stats(tag)).opened).to.equal(1);
    document.body.append(made[0]!.el);
    holder.remove();
  });

  it('an unknown share value is an error; the element keeps a socket of its own', async () => {
    const tag = newTag();
    const a = await make({ url: wsUrl(info, tag), share: 'everywhere' });
    const b = await make({ url: wsUrl(info, tag), share: 'everywhere' });
    await waitUntil(() => a.el.status === 'open' && b.el.status === 'open');
    expect(a.log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-option']);
    expect((await stats(tag)).opened).to.equal(2);
  });

  it('share set after start, and removed again: from own socket to the group and back, one socket each time', async () => {
    const tag = newTag();
    const a = await make({ url: wsUrl(info, tag) });
    const b = await make({ url: wsUrl(info, tag), share: 'page' });
    await waitUntil(() => a.el.status === 'open' && b.el.status === 'open');
    a.el.share = 'page';
    await waitUntil(async () => (await stats(tag)).current === 1 && a.el.status === 'open', 'did not join the group');
    a.el.share = 'none';
    await waitUntil(async () => (await stats(tag)).current === 2 && a.el.status === 'open', 'did not go back to its own socket');
  });

  it('churn: a hundred url changes on three shared elements end in one socket per group, on the last url', async () => {
    const a = newTag();
    const b = newTag();
    const made: Array<{ el: HeartbeatSocketElement; log: Log }> = [];
    for (let i = 0; i < 3; i++) made.push(await make({ url: wsUrl(info, a), share: 'page' }));
    for (let i = 0; i < 100; i++) {
      const { el } = made[i % 3]!;
      el.setAttribute('url', wsUrl(info, i % 2 ? a : b));
      if (i % 10 === 0) await el.updateComplete;
    }
    await Promise.all(made.map(({ el }) => el.updateComplete));
    await waitUntil(() => made.every(({ el }) => el.status === 'open'), 'never settled open', { timeout: 5000 });
    await settle(300);
    const [sa, sb] = await Promise.all([stats(a), stats(b)]);
    const onA = made.filter(({ el }) => el.url === wsUrl(info, a)).length;
    expect(sa.current).to.equal(onA > 0 ? 1 : 0);
    expect(sb.current).to.equal(onA < 3 ? 1 : 0);
    expect((await openSockets(a)).maxOpen).to.equal(1);
    expect((await openSockets(b)).maxOpen).to.equal(1);
  });

  it('soak: three hundred reconnect cycles of a group of three, never two sockets at the server', async function () {
    this.timeout(60_000);
    const { tag, made } = await group(3, { interval: '1000', timeout: '500' });
    for (let cycle = 1; cycle < 300; cycle++) {
      const opens = count(made[2]!.log, 'open');
      if (cycle % 50 === 0) await drop(tag);
      else made[cycle % 3]!.el.reconnect();
      await waitUntil(() => count(made[2]!.log, 'open') === opens + 1, `cycle ${cycle} never reopened`, { timeout: 10_000, interval: 1 });
    }
    const s = await stats(tag);
    expect(s.opened).to.equal(300);
    expect((await openSockets(tag)).maxOpen).to.equal(1);
    for (const { log } of made) expect(count(log, 'open')).to.equal(300);
    for (const { el } of made) el.remove();
    await waitUntil(async () => (await stats(tag)).current === 0, 'a socket outlived the group', { timeout: 2000 });
  });
});
