import { expect } from '@open-wc/testing';
import { CloseCode } from '../../src/core/index.js';
import { BrowserLikeMockSocket } from '../helpers/mock.js';
import { fakePage, ofType, useMockConnection } from '../helpers/connection.js';

// navigator.onLine only says whether a non-loopback interface is up: a page on localhost, a LAN
// or some VPNs sees `false` while its server answers (issue 8 §1c). Offline, retries go on at
// the capped backoff pace and do not count towards maxRetries; `online` retries at once.
describe('the page lifecycle: offline is a hint, not a stop (core, fake timers)', () => {
  const h = useMockConnection();

  it('a loss while offline is retried at the backoff pace, and the reachable server is reached', async () => {
    const page = fakePage();
    const { connection, log } = await h.openConnection({ reconnectDelay: 400, reconnectMaxDelay: 5000, interval: 0 }, page.env);
    page.online = false;
    page.fire(page.win, 'offline');
    const seen: unknown[] = [];
    connection.addEventListener('status-change', () => seen.push(connection.waitingFor));
    h.server.clients()[0]!.close({ code: 1006, reason: '', wasClean: false });
    await h.clock.tickAsync(5);
    expect(connection.status).to.equal('reconnecting');
    expect(connection.waitingFor).to.equal('network');
    expect(seen).to.deep.equal(['network'], 'already set when status-change is heard');
    expect(ofType(log, 'close').at(-1)!.detail.willReconnect).to.equal(true);
    const retry = ofType(log, 'retry')[0]!;
    expect(retry.detail.delay).to.equal(300); // random 0.5: 3/4 of the base
    await h.clock.tickAsync(retry.at + retry.detail.delay - Date.now() + 10);
    expect(connection.status).to.equal('open');
    expect(connection.waitingFor).to.equal(null);
    expect(BrowserLikeMockSocket.instances).to.have.length(2);
  });

  it('going offline while a retry is scheduled keeps the retry', async () => {
    const page = fakePage();
    const { connection, log } = await h.openConnection({ reconnectDelay: 1000, interval: 0 }, page.env);
    h.server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
    await h.clock.tickAsync(5);
    page.online = false;
    page.fire(page.win, 'offline');
    expect(connection.waitingFor).to.equal('network');
    const retry = ofType(log, 'retry')[0]!;
    await h.clock.tickAsync(retry.at + retry.detail.delay - Date.now() + 10);
    expect(connection.status).to.equal('open');
  });

  for (const [base, cap] of [
    [100, 1000],
    [1, 20],
    [1000, 30_000],
  ] as const) {
    it(`offline and refused (base ${base}, cap ${cap}): keeps retrying up to the cap, never exhausting maxRetries`, async () => {
      const page = fakePage();
      page.online = false;
      h.server.stop();
      const { connection, log } = h.create({ reconnectDelay: base, reconnectMaxDelay: cap, maxRetries: 2, interval: 0 }, page.env);
      connection.start();
      const span = 40 * cap;
      await h.clock.tickAsync(span);
      const delays = ofType(log, 'retry').map((e) => e.detail.delay);
      expect(connection.status).to.not.equal('failed');
      expect(ofType(log, 'error').map((e) => e.detail.code)).not.to.include('retries-exhausted');
      // Doubling reaches the cap within log2(cap / base) + 1 retries; then one per ~cap.
      expect(delays.length).to.be.at.least(20);
      expect(Math.max(...delays)).to.be.at.most(cap);
      expect(delays.at(-1)).to.be.at.least(cap / 2);
      expect(ofType(log, 'retry').every((e) => e.detail.attempt === 1), 'offline attempts do not count').to.equal(true);
      expect(connection.waitingFor).to.equal('network');
      expect(BrowserLikeMockSocket.live()).to.be.at.most(1);
    });
  }

  it('online retries at once; from then on failed attempts count towards maxRetries again', async () => {
    const page = fakePage();
    page.online = false;
    h.server.stop();
    const { connection, log } = h.create({ reconnectDelay: 10_000, reconnectMaxDelay: 20_000, maxRetries: 2, interval: 0 }, page.env);
    connection.start();
    await h.clock.tickAsync(100_000);
    expect(connection.status).to.equal('reconnecting');
    const made = BrowserLikeMockSocket.instances.length;
    page.online = true;
    page.fire(page.win, 'online');
    expect(connection.status).to.equal('connecting');
    expect(BrowserLikeMockSocket.instances).to.have.length(made + 1);
    await h.clock.tickAsync(200_000);
    expect(connection.status).to.equal('failed');
    expect(ofType(log, 'error').at(-1)!.detail.code).to.equal('retries-exhausted');
    // The online attempt (it skips a scheduled retry's delay, like any `online`), then the two retries.
    expect(BrowserLikeMockSocket.instances).to.have.length(made + 3);
  });

  it('the offline attempts use the growing backoff, not a fixed pace', async () => {
    const page = fakePage();
    page.online = false;
    h.server.stop();
    const { connection, log } = h.create({ reconnectDelay: 100, reconnectMaxDelay: 1000, interval: 0 }, page.env);
    connection.start();
    await h.clock.tickAsync(10_000);
    expect(ofType(log, 'retry').slice(0, 7).map((e) => e.detail.delay)).to.deep.equal([75, 150, 300, 600, 750, 750, 750]);
    connection.close();
  });
});

const INTERVAL = 1000;
const TIMEOUT = 500;

describe('HeartbeatConnection: the page and the network (core, mock-socket, fake timers)', () => {
  const h = useMockConnection({ interval: INTERVAL, timeout: TIMEOUT, reconnectDelay: 100, reconnectMaxDelay: 2000 });

  describe('the page and the network', () => {
    let win: EventTarget & { added: number; removed: number };
    let doc: EventTarget & { visibilityState: string };
    let online: boolean;

    function pageEnv() {
      const target = new EventTarget() as EventTarget & { added: number; removed: number };
      target.added = target.removed = 0;
      const add = target.addEventListener.bind(target);
      const remove = target.removeEventListener.bind(target);
      target.addEventListener = (...args: Parameters<EventTarget['addEventListener']>) => {
        target.added++;
        add(...args);
      };
      target.removeEventListener = (...args: Parameters<EventTarget['removeEventListener']>) => {
        target.removed++;
        remove(...args);
      };
      win = target;
      doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
      online = true;
      return { window: win, document: doc, isOnline: () => online };
    }
    const fire = (target: EventTarget, type: string, init: Record<string, unknown> = {}) =>
      target.dispatchEvent(Object.assign(new Event(type), init));
    const sent = () => BrowserLikeMockSocket.instances.at(-1)!.sent.map((m) => m.data);

    it('online skips a pending backoff delay once', async () => {
      const { connection } = await h.openConnection({ reconnectDelay: 10_000 }, pageEnv());
      h.server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await h.clock.tickAsync(5);
      fire(win, 'online');
      await h.clock.tickAsync(10);
      expect(connection.status).to.equal('open');
      expect(BrowserLikeMockSocket.live()).to.equal(1);
    });

    it('offline probes an open socket at once; with no answer it is dead within `timeout`', async () => {
      const { connection, log } = await h.openConnection({}, pageEnv());
      await h.clock.tickAsync(100);
      online = false;
      fire(win, 'offline');
      expect(sent()).to.deep.equal(['ping']);
      const probedAt = Date.now();
      await h.clock.tickAsync(TIMEOUT);
      const close = log.find((e) => e.type === 'close')!;
      expect(close.at - probedAt).to.equal(TIMEOUT);
      expect(close.detail.code).to.equal(CloseCode.HeartbeatTimeout);
      expect(connection.waitingFor).to.equal('network');
    });

    it('back to visible (or resumed) after `interval` of quiet: probes at once', async () => {
      const { connection } = await h.openConnection({ interval: 10_000, timeout: 500 }, pageEnv());
      await h.clock.tickAsync(3000);
      doc.visibilityState = 'visible';
      fire(doc, 'visibilitychange');
      expect(sent()).to.deep.equal([]); // quiet for less than the interval: nothing to check
      h.clock.setSystemTime(Date.now() + 60_000); // asleep for a minute: no timer ran
      fire(doc, 'resume');
      expect(sent()).to.deep.equal(['ping']);
      await h.clock.tickAsync(500);
      expect(connection.status).to.equal('reconnecting');
    });

    it('a hidden document does not probe', async () => {
      await h.openConnection({ interval: 10_000 }, pageEnv());
      h.clock.setSystemTime(Date.now() + 60_000);
      doc.visibilityState = 'hidden';
      fire(doc, 'visibilitychange');
      expect(sent()).to.deep.equal([]);
    });

    it('a deadline timer that fires long after it was due (a wake-up) gives one fresh probe, not a false death', async () => {
      const { connection, log } = await h.openConnection();
      const client = h.server.clients()[0]!;
      await h.clock.tickAsync(INTERVAL); // ping sent, no pong yet
      expect(sent()).to.deep.equal(['ping']);
      h.clock.setSystemTime(Date.now() + 5 * 60_000); // the machine slept past the deadline
      await h.clock.tickAsync(TIMEOUT);
      expect(connection.status).to.equal('open');
      expect(sent()).to.deep.equal(['ping', 'ping']);
      client.send('pong');
      await h.clock.tickAsync(TIMEOUT + 10);
      expect(connection.status).to.equal('open');
      expect(log.filter((e) => e.type === 'close')).to.deep.equal([]);
    });

    it('after a wake-up, a dead line is found within `timeout` of the probe', async () => {
      const { connection, log } = await h.openConnection();
      await h.clock.tickAsync(INTERVAL);
      h.clock.setSystemTime(Date.now() + 5 * 60_000);
      await h.clock.tickAsync(TIMEOUT); // late timer: the probe
      expect(connection.status).to.equal('open');
      const probe = BrowserLikeMockSocket.instances[0]!.sent[1]!;
      expect(probe.data).to.equal('ping');
      await h.clock.tickAsync(TIMEOUT);
      const close = log.find((e) => e.type === 'close')!;
      expect(close.detail.code).to.equal(CloseCode.HeartbeatTimeout);
      expect(close.at - probe.at).to.equal(TIMEOUT);
      await h.clock.tickAsync(10);
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
    });

    it('the wake-up probe is given once: if its own deadline also fires late, the line is dead', async () => {
      // A page whose timers always run late (a throttled hidden tab) must still find a dead line.
      const { log } = await h.openConnection();
      await h.clock.tickAsync(INTERVAL);
      h.clock.setSystemTime(Date.now() + 60_000);
      await h.clock.tickAsync(TIMEOUT); // the probe
      h.clock.setSystemTime(Date.now() + 60_000);
      await h.clock.tickAsync(TIMEOUT);
      expect(log.filter((e) => e.type === 'close').map((e) => e.detail.code)).to.deep.equal([CloseCode.HeartbeatTimeout]);
      expect(BrowserLikeMockSocket.instances[0]!.sent.map((m) => m.data)).to.deep.equal(['ping', 'ping']);
    });

    it('pagehide closes the socket with 1000 at once; pageshow from the cache reconnects', async () => {
      const { connection, log } = await h.openConnection({}, pageEnv());
      fire(win, 'pagehide', { persisted: true });
      expect(connection.status).to.equal('reconnecting');
      expect(connection.waitingFor).to.equal('page');
      expect(BrowserLikeMockSocket.instances[0]!.closeCalls).to.deep.equal([{ code: 1000, reason: 'page hidden' }]);
      expect(log.filter((e) => e.type === 'close').at(-1)!.detail).to.include({ code: 1000, willReconnect: true });
      await h.clock.tickAsync(10);
      expect(h.clock.countTimers()).to.equal(0);
      fire(win, 'online'); // the page is away: the network coming back must not reconnect it
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
      fire(win, 'pageshow', { persisted: true });
      await h.clock.tickAsync(10);
      expect(connection.status).to.equal('open');
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
    });

    it('listens to the page only while active', async () => {
      const { connection } = await h.openConnection({}, pageEnv());
      expect(win.added).to.equal(4);
      connection.close();
      expect(win.removed).to.equal(4);
      online = false;
      fire(win, 'offline');
      fire(win, 'pageshow', { persisted: true });
      fire(win, 'online');
      expect(connection.status).to.equal('closed');
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
    });
  });
});
