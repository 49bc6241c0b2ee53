import { expect } from '@open-wc/testing';
import { backoffDelay, CloseCode, DEFAULTS, HeartbeatConnection, type HeartbeatOptions } from '../../src/core/index.js';
import { BrowserLikeMockSocket, Server, StalledSocket } from '../helpers/mock.js';
import { MOCK_URL, ofType, useMockConnection } from '../helpers/connection.js';

/** What the rule says retry `n` (0-based) waits, with jitter source `random`. */
function expected(n: number, base: number, cap: number, random: number): number {
  const ceiling = Math.min(cap, base * 2 ** n);
  return Math.max(1, Math.round(ceiling / 2 + (random * ceiling) / 2));
}

// [reconnectDelay, reconnectMaxDelay]: every valid pair is honoured as given (issue 8 §1b).
const GRID: Array<[base: number, cap: number]> = [
  [1, 20],
  [1, 1],
  [10, 50],
  [100, 200],
  [50, 999],
  [100, 1000],
  [1000, 30_000],
  [500, 100], // cap below the base: the cap wins
  [0.5, 3], // fractions of a ms are valid too; a delay never rounds down to 0
];

describe('backoffDelay (the formula)', () => {
  for (const [base, cap] of GRID) {
    it(`base ${base}, cap ${cap}: doubles from the base up to the cap, drawn from the upper half`, () => {
      for (const random of [0, 0.5, 0.999]) {
        const delays = Array.from({ length: 12 }, (_, n) => backoffDelay(n, base, cap, () => random));
        expect(delays).to.deep.equal(delays.map((_, n) => expected(n, base, cap, random)));
        for (const delay of delays) expect(delay).to.be.within(1, Math.max(1, Math.ceil(cap)));
      }
    });
  }

  it('a huge retry count neither overflows nor exceeds the cap', () => {
    expect(backoffDelay(10_000, 1000, 30_000, () => 1)).to.equal(30_000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, 1, 20, () => 0)).to.equal(10);
  });
});

describe('backoff of a connection (core, fake timers)', () => {
  const h = useMockConnection();

  for (const [base, cap] of GRID) {
    for (const random of [0, 1]) {
      it(`reconnectDelay ${base}, reconnectMaxDelay ${cap}, jitter ${random}: retries wait exactly what the rule says`, async () => {
        h.server.stop(); // every attempt is refused
        const { connection, log } = h.create({ reconnectDelay: base, reconnectMaxDelay: cap, interval: 0 }, { random: () => random });
        connection.start();
        for (let i = 0; i < 200 && ofType(log, 'retry').length < 10; i++) await h.clock.tickAsync(Math.max(10, cap));
        const retries = ofType(log, 'retry');
        expect(retries.length).to.be.at.least(10);
        expect(ofType(log, 'error').filter((e) => e.detail.code === 'invalid-option'), 'valid settings').to.deep.equal([]);
        expect(connection.options).to.include({ reconnectDelay: base, reconnectMaxDelay: cap });
        expect(retries.slice(0, 10).map((e) => e.detail.delay)).to.deep.equal(retries.slice(0, 10).map((_, n) => expected(n, base, cap, random)));
        for (const retry of retries) expect(retry.detail.delay).to.be.at.most(Math.max(1, Math.ceil(cap)));
      });
    }
  }

  it('the socket of each retry is made `delay` ms after the retry is scheduled', async () => {
    h.server.stop();
    const { connection, log } = h.create({ reconnectDelay: 1, reconnectMaxDelay: 20, interval: 0 }, { random: () => 1 });
    const madeAt: number[] = [];
    const Socket = class extends BrowserLikeMockSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        madeAt.push(Date.now());
      }
    };
    connection.close();
    const counted = new HeartbeatConnection({ url: connection.options.url, reconnectDelay: 1, reconnectMaxDelay: 20, interval: 0 }, { WebSocket: Socket, random: () => 1 });
    const events: Array<{ delay: number; at: number }> = [];
    counted.addEventListener('retry', (e) => events.push({ delay: e.detail.delay, at: Date.now() }));
    counted.start();
    await h.clock.tickAsync(1000);
    counted.close();
    expect(events.length).to.be.at.least(10);
    for (let i = 0; i < 10; i++) expect(madeAt[i + 1]! - events[i]!.at, `retry ${i + 1}`).to.equal(events[i]!.delay);
    expect(ofType(log, 'retry')).to.deep.equal([]);
  });

  for (const name of ['reconnectDelay', 'reconnectMaxDelay'] as const) {
    for (const value of [0, -1, -0.5, NaN, Infinity, 'soon', '', true]) {
      it(`${name} = ${JSON.stringify(value) ?? String(value)}: an error event and the default, never a tight loop`, async () => {
        h.server.stop();
        const { connection, log } = h.create({ [name]: value, interval: 0 } as HeartbeatOptions);
        await Promise.resolve();
        expect(ofType(log, 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-option']);
        expect(ofType(log, 'error')[0]!.detail.message).to.contain(name);
        expect(connection.options[name]).to.equal(name === 'reconnectDelay' ? DEFAULTS.reconnectDelay : DEFAULTS.reconnectMaxDelay);
        connection.start();
        await h.clock.tickAsync(10_000);
        expect(BrowserLikeMockSocket.instances.length).to.be.below(30);
      });
    }
  }
});

const INTERVAL = 1000;
const TIMEOUT = 500;

describe('HeartbeatConnection: reconnecting (core, mock-socket, fake timers)', () => {
  const h = useMockConnection({ interval: INTERVAL, timeout: TIMEOUT, reconnectDelay: 100, reconnectMaxDelay: 2000 });

  describe('reconnecting', () => {
    it('a handshake that never completes fails at connectTimeout and is retried', async () => {
      const { connection, log } = h.create({ connectTimeout: 300 }, { WebSocket: StalledSocket });
      connection.start();
      await h.clock.tickAsync(299);
      expect(connection.status).to.equal('connecting');
      await h.clock.tickAsync(1);
      expect(connection.status).to.equal('reconnecting');
      expect(StalledSocket.instances[0]!.closeCalls[0]!.code).to.equal(CloseCode.ConnectTimeout);
      expect(log.find((e) => e.type === 'close')!.detail).to.include({ code: CloseCode.ConnectTimeout, willReconnect: true });
    });

    it('backoff grows exponentially up to the cap, with jitter', async () => {
      h.server.stop();
      const { connection, log } = h.create({ reconnectDelay: 100, reconnectMaxDelay: 1000 });
      connection.start();
      await h.clock.tickAsync(20_000);
      const delays = log.filter((e) => e.type === 'retry').map((e) => e.detail.delay);
      expect(delays.slice(0, 7)).to.deep.equal([75, 150, 300, 600, 750, 750, 750]);
    });

    it('backoff resets once a connection has stayed open long enough to be healthy', async () => {
      const { connection, log } = await h.openConnection({ healthyAfter: 1000, interval: 0 });
      const lastRetry = () => log.filter((e) => e.type === 'retry').at(-1)!.detail;
      h.server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await h.clock.tickAsync(100); // retry after 75 ms, opens, then drops again at once
      h.server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await h.clock.tickAsync(5);
      // A short-lived connection does not reset the backoff; it does end the retry streak.
      expect(lastRetry()).to.include({ attempt: 1, delay: 150 });
      await h.clock.tickAsync(2000);
      expect(connection.status).to.equal('open');
      h.server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await h.clock.tickAsync(5);
      expect(lastRetry()).to.include({ attempt: 1, delay: 75 });
    });

    it('every heartbeat death reconnects at once; a hung server is retried once per interval + timeout', async () => {
      // The server accepts and never answers a ping.
      const { log } = await h.openConnection({ reconnectDelay: 100, reconnectMaxDelay: 1000 });
      await h.clock.tickAsync(10 * (INTERVAL + TIMEOUT));
      const retries = log.filter((e) => e.type === 'retry');
      expect(retries.map((e) => e.detail.delay)).to.deep.equal(retries.map(() => 0));
      expect(retries.length).to.be.within(8, 10);
      const opens = log.filter((e) => e.type === 'open').map((e) => e.at);
      for (let i = 1; i < opens.length; i++) expect(opens[i]! - opens[i - 1]!).to.be.at.least(INTERVAL + TIMEOUT);
    });

    it('a server that accepts and drops at once keeps backing off, though every attempt opens', async () => {
      h.server.on('connection', (socket) => setTimeout(() => socket.close({ code: 1011, reason: 'no', wasClean: true }), 1));
      const { connection, log } = h.create({ interval: 0, maxRetries: 1, reconnectMaxDelay: 1000 });
      connection.start();
      await h.clock.tickAsync(5000);
      const retries = log.filter((e) => e.type === 'retry').map((e) => e.detail);
      expect(retries.slice(0, 5).map((r) => r.delay)).to.deep.equal([75, 150, 300, 600, 750]);
      // Each retry opened, so none was a failed attempt: maxRetries 1 is never exhausted.
      expect(retries.every((r) => r.attempt === 1)).to.equal(true);
      expect(connection.status).not.to.equal('failed');
    });

    it('maxRetries counts consecutive failed attempts: a retry that opens starts the count again', async () => {
      const { connection, log } = await h.openConnection({ maxRetries: 1, interval: 0 });
      h.server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await h.clock.tickAsync(200);
      expect(connection.status).to.equal('open');
      h.server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await h.clock.tickAsync(400);
      expect(connection.status).to.equal('open');
      expect(log.filter((e) => e.type === 'error')).to.deep.equal([]);
    });

    it('gives up after maxRetries: failed, close without reconnect, and an error', async () => {
      h.server.stop();
      const { connection, log } = h.create({ maxRetries: 2 });
      connection.start();
      await h.clock.tickAsync(60_000);
      expect(connection.status).to.equal('failed');
      expect(BrowserLikeMockSocket.instances).to.have.length(3);
      expect(log.filter((e) => e.type === 'retry')).to.have.length(2);
      expect(log.filter((e) => e.type === 'close').at(-1)!.detail.willReconnect).to.equal(false);
      expect(log.filter((e) => e.type === 'error').at(-1)!.detail.code).to.equal('retries-exhausted');
      expect(h.clock.countTimers()).to.equal(0);
    });

    it('maxRetries 0 gives up at the first loss', async () => {
      const { connection } = await h.openConnection({ maxRetries: 0 });
      h.server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await h.clock.tickAsync(10_000);
      expect(connection.status).to.equal('failed');
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
    });

    it('reconnect() after failed starts again', async () => {
      h.server.stop();
      const { connection } = h.create({ maxRetries: 0 });
      connection.start();
      await h.clock.tickAsync(100);
      expect(connection.status).to.equal('failed');
      h.replaceServer();
      connection.reconnect();
      await h.clock.tickAsync(10);
      expect(connection.status).to.equal('open');
    });

    it('a new url switches over at once, with one socket', async () => {
      const other = new Server(`${MOCK_URL}2`, { mock: false });
      const { connection } = await h.openConnection();
      connection.configure({ url: `${MOCK_URL}2` });
      expect(connection.status).to.equal('connecting');
      expect(BrowserLikeMockSocket.live()).to.equal(0);
      await h.clock.tickAsync(20);
      expect(BrowserLikeMockSocket.live()).to.equal(1);
      expect(connection.status).to.equal('open');
      expect(connection.url).to.equal(`${MOCK_URL}2`);
      expect(h.server.clients()).to.have.length(0);
      other.stop();
    });

    it('clearing the url ends the connection: idle', async () => {
      const { connection } = await h.openConnection();
      connection.configure({ url: '' });
      expect(connection.status).to.equal('idle');
      expect(BrowserLikeMockSocket.live()).to.equal(0);
      expect(h.clock.countTimers()).to.be.at.most(1);
    });
  });
});
