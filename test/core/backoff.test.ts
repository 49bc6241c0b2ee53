import { expect } from '@open-wc/testing';
import { backoffDelay, DEFAULTS, HeartbeatConnection, type HeartbeatOptions } from '../../src/core/index.js';
import { BrowserLikeMockSocket } from '../helpers/mock.js';
import { ofType, useMockConnection } from '../helpers/connection.js';

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
