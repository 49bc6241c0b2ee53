import { expect, waitUntil } from '@open-wc/testing';
import '../../src/heartbeat-socket-define.js';
import { recordEvents } from '../helpers/mock.js';
import { elementFactory, settle } from '../helpers/element.js';
import {
  close as closeSockets,
  drop as dropSockets,
  mute,
  newTag,
  pongDelay,
  serverInfo,
  silence,
  socketsAtOnce,
  stats,
  wsUrl,
  type ServerInfo,
} from '../helpers/server.js';

// Real sockets in headless Chromium against a `ws` server on 127.0.0.1 (started by
// web-test-runner.config.mjs), with real faults.

const INTERVAL = 400;
const TIMEOUT = 300;
/** Timers on a busy 2-core machine fire late by a few ms, sometimes tens; never early. */
const SLACK = 150;

describe('<heartbeat-socket> against a real server', function () {
  this.timeout(20_000);
  let info: ServerInfo;

  before(async () => {
    info = await serverInfo();
  });

  afterEach(() => removeAll());

  const { make, track, removeAll } = elementFactory();

  const last = (log: Array<{ type: string; detail: any; at: number }>, type: string) => log.filter((e) => e.type === type).at(-1);

  // The heartbeat keeps each message's event and reads its timeStamp only when it wakes
  // (heartbeat.ts), which holds only if this engine stamps WebSocket message events on
  // performance.now()'s scale. If it does not, the heartbeat falls back to a clock read per
  // message: still correct, but this test fails so the change of engine is seen.
  it("message events carry a stamp on performance.now()'s scale, and the heartbeat reads no clock per message", async () => {
    const tag = newTag();
    const el = document.createElement('heartbeat-socket');
    el.setAttribute('url', wsUrl(info, tag));
    el.setAttribute('interval', '10000');
    el.setAttribute('timeout', '5000');
    let received = 0;
    el.addEventListener('message', () => received++);
    document.body.append(el);
    track(el);
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    const socket = el.connection.socket as WebSocket;
    const lags: number[] = [];
    const measureLag = (event: MessageEvent) => lags.push(performance.now() - event.timeStamp);
    socket.addEventListener('message', measureLag);
    for (let i = 0; i < 20; i++) el.send(`stamp ${i}`);
    await waitUntil(() => received >= 20, `${received} of 20 echoes`, { timeout: 5000 });
    socket.removeEventListener('message', measureLag);
    // Made before dispatch, on the same clock: not after now, and not long before.
    expect(Math.min(...lags), `lags ${lags.join(', ')}`).to.be.at.least(-1);
    expect(Math.max(...lags), `lags ${lags.join(', ')}`).to.be.below(1000);

    const COUNT = 300;
    let reads = 0;
    const dateNow = Date.now;
    const perfNow = performance.now;
    Date.now = () => (reads++, dateNow.call(Date));
    performance.now = () => (reads++, perfNow.call(performance));
    let done = false;
    try {
      const until = received + COUNT;
      const arrived = new Promise<void>((resolve) =>
        el.addEventListener('message', () => {
          if (received >= until && !done) resolve();
        }),
      );
      for (let i = 0; i < COUNT; i++) el.send(`m${i}`);
      await Promise.race([arrived, new Promise((resolve) => setTimeout(resolve, 5000))]);
    } finally {
      done = true;
      Date.now = dateNow;
      performance.now = perfNow;
    }
    expect(received, 'every echo arrived').to.be.at.least(20 + COUNT);
    // A clock read per message would be 300 or more; what is left is the runner's own.
    expect(reads, `clock reads while ${COUNT} messages were dispatched`).to.be.below(COUNT / 10);
  });

  it('opens, echoes, and measures heartbeat latency', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), interval: '200', timeout: '1000' });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    expect(el.send('hello')).to.equal(true);
    await waitUntil(() => log.some((e) => e.type === 'message'), 'no echo');
    expect(last(log, 'message')!.detail).to.deep.equal({ data: 'hello' });
    await waitUntil(() => log.some((e) => e.type === 'heartbeat'), 'no heartbeat', { timeout: 3000 });
    const beat = last(log, 'heartbeat')!.detail;
    expect(beat.pong).to.equal(true);
    expect(beat.latency).to.be.a('number').and.at.least(0).and.below(1000);
    expect(log.filter((e) => e.type === 'message').map((e) => e.detail.data)).not.to.include('pong');
    const s = await stats(tag);
    expect(s.received).to.include('ping');
    expect(s.opened).to.equal(1);
  });

  it('maps an http:// url to ws:// and passes subprotocols', async () => {
    const tag = newTag();
    const { el } = await make({ url: `http://127.0.0.1:${info.wsPort}/?tag=${tag}`, protocols: 'chat.v2, json' });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    expect(el.connection.url).to.match(/^ws:\/\/127\.0\.0\.1:/);
    expect(el.connection.socket!.protocol).to.equal('chat.v2');
    expect((await stats(tag)).protocols).to.deep.equal(['chat.v2', 'json']);
  });

  it('an abruptly dropped socket is reconnected, one socket at a time', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), 'reconnect-delay': '100' });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    await dropSockets(tag);
    await waitUntil(() => log.some((e) => e.type === 'close'), 'no close after drop', { timeout: 5000 });
    expect(last(log, 'close')!.detail).to.include({ code: 1006, willReconnect: true, wasClean: false });
    expect(last(log, 'retry')!.detail.attempt).to.equal(1);
    await waitUntil(() => el.status === 'open' && log.filter((e) => e.type === 'open').length === 2, 'did not reopen', { timeout: 5000 });
    const s = await stats(tag);
    expect(s.opened).to.equal(2);
    expect(socketsAtOnce(s)).to.equal(1);
  });

  it('a server close with 1000 ends in closed, with no retry', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), 'reconnect-delay': '50' });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    await closeSockets(tag, 1000, 'bye');
    await waitUntil(() => el.status === 'closed', 'not closed', { timeout: 5000 });
    expect(last(log, 'close')!.detail).to.deep.equal({ code: 1000, reason: 'bye', wasClean: true, willReconnect: false });
    await settle(500);
    expect((await stats(tag)).opened).to.equal(1);
  });

  for (const code of [1001, 1011, 4003]) {
    it(`a server close with ${code} is retried`, async () => {
      const tag = newTag();
      const { el, log } = await make({ url: wsUrl(info, tag), 'reconnect-delay': '50' });
      await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
      await closeSockets(tag, code, 'going');
      await waitUntil(() => log.some((e) => e.type === 'close'), 'no close', { timeout: 5000 });
      expect(last(log, 'close')!.detail).to.deep.equal({ code, reason: 'going', wasClean: true, willReconnect: true });
      await waitUntil(() => log.filter((e) => e.type === 'open').length === 2, 'did not reopen', { timeout: 5000 });
    });
  }

  it('a server that stops answering is declared dead within interval + timeout, and reconnected', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), interval: String(INTERVAL), timeout: String(TIMEOUT), 'reconnect-delay': '50' });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    await mute(tag, true);
    const mutedAt = Date.now();
    await waitUntil(() => log.some((e) => e.type === 'close'), 'never declared dead', { timeout: 5000 });
    const close = last(log, 'close')!;
    expect(close.detail.code).to.equal(4000);
    expect(close.detail.reason).to.match(/heartbeat timeout/);
    expect(close.detail.willReconnect).to.equal(true);
    // The last inbound message came before the mute, so death is declared no later than this.
    expect(close.at - mutedAt).to.be.at.most(INTERVAL + TIMEOUT + SLACK);
    await mute(tag, false);
    await waitUntil(() => log.filter((e) => e.type === 'open').length === 2, 'did not reconnect', { timeout: 5000 });
    expect((await stats(tag)).closes.map((c) => c.code)).to.include(4000);
  });

  it('a heartbeat death against a live but silent server never leaves two sockets at the server', async () => {
    // The server still completes the close handshake of the socket declared dead; the new
    // socket waits for that (up to 100 ms), so the server never holds both.
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), interval: '100', timeout: '100' });
    for (let round = 1; round <= 6; round++) {
      await waitUntil(() => el.status === 'open' && log.filter((e) => e.type === 'open').length === round, `round ${round}: not open`, { timeout: 5000 });
      await mute(tag, true);
      await waitUntil(() => log.filter((e) => e.type === 'close').length === round, `round ${round}: not declared dead`, { timeout: 5000 });
      await mute(tag, false);
    }
    await waitUntil(() => log.filter((e) => e.type === 'open').length === 7, 'not reopened', { timeout: 5000 });
    const s = await stats(tag);
    expect(s.closes.filter((c) => c.code === 4000)).to.have.length(6);
    expect(socketsAtOnce(s)).to.equal(1);
  });

  it('pongs that come late but within the timeout keep the connection', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), interval: '150', timeout: '600' });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    await pongDelay(tag, 250);
    await settle(1500);
    expect(el.status).to.equal('open');
    expect(log.filter((e) => e.type === 'close')).to.deep.equal([]);
    const latencies = log.filter((e) => e.type === 'heartbeat').map((e) => e.detail.latency as number);
    expect(Math.max(...latencies)).to.be.at.least(250);
  });

  it('pongs that come later than the timeout mean a dead connection', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), interval: '150', timeout: '200' });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    await pongDelay(tag, 600);
    await waitUntil(() => log.some((e) => e.type === 'close'), 'late pongs were accepted', { timeout: 5000 });
    expect(last(log, 'close')!.detail.code).to.equal(4000);
  });

  it('a path that goes silent without closing is detected within interval + timeout of the last message', async () => {
    const tag = newTag();
    const { el, log } = await make({
      url: wsUrl(info, tag, 'proxy'),
      interval: String(INTERVAL),
      timeout: String(TIMEOUT),
      'reconnect-delay': '50',
    });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    el.send('marker');
    await waitUntil(() => log.some((e) => e.type === 'message'), 'no echo through the proxy');
    await silence(tag, true);
    const lastInbound = last(log, 'message')!.at;
    await waitUntil(() => log.some((e) => e.type === 'close'), 'silent path never detected', { timeout: 5000 });
    const detection = last(log, 'close')!.at - lastInbound;
    console.log(`silent path detected ${detection} ms after the last inbound message (interval + timeout = ${INTERVAL + TIMEOUT} ms)`);
    expect(last(log, 'close')!.detail.code).to.equal(4000);
    expect(detection).to.be.at.least(INTERVAL + TIMEOUT - 5);
    expect(detection).to.be.at.most(INTERVAL + TIMEOUT + SLACK);
    // The silenced proxy connection is still open at the TCP level; the new one works.
    await waitUntil(() => log.filter((e) => e.type === 'open').length === 2, 'did not reconnect', { timeout: 5000 });
    el.send('after');
    await waitUntil(() => log.filter((e) => e.type === 'message').length === 2, 'no echo after reconnect');
  });

  it('a handshake that never completes fails at connect-timeout and is retried', async () => {
    const tag = newTag();
    const { el, log } = await make({
      url: `ws://127.0.0.1:${info.blackholePort}/?tag=${tag}`,
      'connect-timeout': '300',
      'reconnect-delay': '100',
    });
    const startedAt = Date.now();
    await waitUntil(() => log.some((e) => e.type === 'close'), 'handshake deadline never fired', { timeout: 5000 });
    const close = last(log, 'close')!;
    expect(close.detail).to.include({ code: 4001, willReconnect: true });
    expect(close.at - startedAt).to.be.within(295, 300 + SLACK);
    expect(el.status).to.equal('reconnecting');
    await waitUntil(() => log.filter((e) => e.type === 'close').length >= 2, 'no second attempt', { timeout: 5000 });
    el.close();
    expect((await stats(tag)).blackholeConnections).to.be.at.least(1);
  });

  it('a refused port is retried with a growing delay, never in a tight loop', async () => {
    const { el, log } = await make({ url: `ws://127.0.0.1:${info.refusedPort}/`, 'reconnect-delay': '100', 'reconnect-max-delay': '1000' });
    // Counted in attempts, not in a fixed time: how long a refused attempt takes is the browser's
    // (Chromium 1–3 ms, WebKit up to 300 ms, and Firefox holds back a repeat attempt to a host that
    // just failed by 100–650 ms, `network.websocket.delay-failed-reconnects`).
    await waitUntil(() => log.filter((e) => e.type === 'retry').length >= 5, 'fewer than 5 retries', { timeout: 15_000 });
    const seen = log.slice();
    el.close();
    const retries = seen.filter((e) => e.type === 'retry');
    // 100 ms base doubling up to the 1000 ms cap: each delay in [ceiling / 2, ceiling].
    retries.slice(0, 5).forEach((retry, i) => {
      const ceiling = Math.min(1000, 100 * 2 ** i);
      expect(retry.detail.delay, `retry ${i + 1}`).to.be.within(ceiling / 2, ceiling);
    });
    // Never a tight loop: no attempt starts before its retry's delay is over (timers never fire
    // early; 1 ms for the clock's rounding).
    const attempts = seen.filter((e) => e.type === 'status-change' && e.detail.status === 'connecting');
    // Each retry is followed by its attempt, but the last one's may still be waiting.
    expect(attempts.length).to.be.within(retries.length, retries.length + 1);
    attempts.slice(1).forEach((attempt, i) => {
      expect(attempt.at - retries[i].at, `attempt ${i + 2}`).to.be.at.least(retries[i].detail.delay - 1);
    });
    expect(seen.filter((e) => e.type === 'close').map((e) => e.detail.code)).to.deep.equal(retries.map(() => 1006));
  });

  it('messages sent while down are delivered in order after the next open', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), 'reconnect-delay': '200', interval: '0' });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    el.send('first');
    await waitUntil(async () => (await stats(tag)).received.includes('first'));
    await dropSockets(tag);
    await waitUntil(() => el.status === 'reconnecting', 'no reconnecting', { timeout: 5000 });
    for (let i = 0; i < 20; i++) expect(el.send(`queued-${i}`)).to.equal(true);
    expect(el.queuedCount).to.equal(20);
    el.addEventListener('open', () => el.send('after-open'));
    await waitUntil(() => log.filter((e) => e.type === 'open').length === 2, 'did not reopen', { timeout: 5000 });
    await waitUntil(async () => (await stats(tag)).received.includes('after-open'));
    const received = (await stats(tag)).received;
    expect(received).to.deep.equal(['first', ...Array.from({ length: 20 }, (_, i) => `queued-${i}`), 'after-open']);
  });

  it('binary messages go both ways', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), 'binary-type': 'arraybuffer' });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    el.send(new Uint8Array([1, 2, 3]).buffer);
    await waitUntil(() => log.some((e) => e.type === 'message'));
    const data = last(log, 'message')!.detail.data;
    expect(data).to.be.instanceOf(ArrayBuffer);
    expect([...new Uint8Array(data as ArrayBuffer)]).to.deep.equal([1, 2, 3]);
  });

  it('json format against a real server', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), format: 'json' });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    el.send({ kind: 'greeting', n: 1 });
    el.send('not json {');
    await waitUntil(() => log.some((e) => e.type === 'message') && log.some((e) => e.type === 'error'));
    expect(last(log, 'message')!.detail.data).to.deep.equal({ kind: 'greeting', n: 1 });
    expect(last(log, 'error')!.detail.code).to.equal('invalid-json');
    expect(el.status).to.equal('open');
  });

  it('a time beyond the browser timer range does not become a ping storm', async () => {
    // setTimeout takes its delay as a 32-bit integer: 2^32 + 10 ms wraps to 10 ms, so an
    // unclamped interval would wake the heartbeat a hundred times a second.
    const tag = newTag();
    const { el } = await make({ url: wsUrl(info, tag), interval: String(2 ** 32 + 10) });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    const realSetTimeout = window.setTimeout;
    let timers = 0;
    window.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      timers++;
      return realSetTimeout(...args);
    }) as typeof setTimeout;
    try {
      await new Promise((resolve) => realSetTimeout(resolve, 300));
    } finally {
      window.setTimeout = realSetTimeout;
    }
    expect(timers).to.be.below(3);
    expect((await stats(tag)).received).to.deep.equal([]);
  });

  it('a urlProvider supplies a fresh url (a token) before every attempt', async () => {
    const tag = newTag();
    let token = 0;
    const el = document.createElement('heartbeat-socket');
    const log = recordEvents(el);
    el.reconnectDelay = 50;
    el.urlProvider = async ({ attempt }) => {
      await settle(10); // e.g. a token refresh
      if (attempt === 1) throw new Error('token service unavailable');
      return `${wsUrl(info, tag)}&token=${++token}`;
    };
    document.body.append(el);
    track(el);
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    expect(el.connection.url).to.contain('token=1');
    await dropSockets(tag);
    // attempt 1 fails in the provider (an error, then a retry); attempt 2 gets token 2
    await waitUntil(() => log.filter((e) => e.type === 'open').length === 2, 'did not reopen', { timeout: 5000 });
    expect(el.connection.url).to.contain('token=2');
    expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.include('url-provider-failed');
    expect((await stats(tag)).opened).to.equal(2);
  });

  it('removal closes the socket at the server', async () => {
    const tag = newTag();
    const { el } = await make({ url: wsUrl(info, tag) });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    el.remove();
    await waitUntil(async () => (await stats(tag)).current === 0, 'server still sees the socket', { timeout: 5000 });
    expect((await stats(tag)).closes).to.deep.equal([{ code: 1000, reason: 'element removed' }]);
    expect(el.status).to.equal('closed');
  });
});
