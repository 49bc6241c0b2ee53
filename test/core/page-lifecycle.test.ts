import { expect } from '@open-wc/testing';
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
