import { expect } from '@open-wc/testing';
import { closeAction, DEFAULTS, parseCloseCodes, retryLaterDelay, backoffDelay, type HeartbeatOptions } from '../../src/core/index.js';
import { BrowserLikeMockSocket } from '../helpers/mock.js';
import { MOCK_URL, ofType, useMockConnection } from '../helpers/connection.js';

// What a server's close code asks (issue 8 §2): 1000 closes; protocol errors end in `failed`;
// 4401 asks for a fresh url first and fails if it recurs; 1012/1013 come back later, spread.
describe('close policy: parsing and the defaults', () => {
  for (const [input, expected] of [
    ['1008', [1008]],
    ['1008, 4403', [1008, 4403]],
    ['1008 4403,4404', [1008, 4403, 4404]],
    ['', []],
    ['  ', []],
    [[4401, '4403'], [4401, 4403]],
    [[1008, 1008], [1008]],
    [[], []],
  ] as const) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      expect(parseCloseCodes(input)).to.deep.equal(expected);
    });
  }

  for (const input of ['1000', '1005', '1006', '1015', '999', '5000', '1008.5', 'policy', '1008,x', [NaN], [null], 1008, {}, true]) {
    it(`${JSON.stringify(input) ?? String(input)} is not a list of codes a server can send`, () => {
      expect(parseCloseCodes(input)).to.equal(undefined);
    });
  }

  const actions: Array<[number, string]> = [
    [1000, 'closed'],
    [1001, 'retry'],
    [1002, 'fail'],
    [1003, 'fail'],
    [1006, 'retry'],
    [1007, 'fail'],
    [1008, 'fail'],
    [1009, 'fail'],
    [1010, 'fail'],
    [1011, 'retry'],
    [1012, 'retry-later'],
    [1013, 'retry-later'],
    [1014, 'retry'],
    [4000, 'retry'],
    [4401, 'refresh'],
    [4403, 'retry'],
    [4999, 'retry'],
  ];
  for (const [code, action] of actions) {
    it(`by default ${code} → ${action}`, () => {
      expect(closeAction(code, DEFAULTS)).to.equal(action);
    });
  }

  it('a code in several lists: fatal, then refresh, then retry-later; 1000 is always closed', () => {
    const policy = { fatalCloseCodes: [4001, 4002], refreshCloseCodes: [4002, 4003], retryLaterCloseCodes: [4001, 4003, 4004] };
    expect([4001, 4002, 4003, 4004, 4005, 1000].map((code) => closeAction(code, policy))).to.deep.equal(['fail', 'fail', 'refresh', 'retry-later', 'retry', 'closed']);
  });

  it('retry-later delays cover [what a plain loss waits at least, the cap]', () => {
    for (const [base, cap] of [
      [1000, 30_000],
      [100, 2000],
      [1, 20],
      [500, 100],
    ] as const) {
      for (let n = 0; n < 8; n++) {
        const low = backoffDelay(n, base, cap, () => 0);
        expect(retryLaterDelay(n, base, cap, () => 0), `n ${n}`).to.equal(low);
        expect(retryLaterDelay(n, base, cap, () => 1), `n ${n}`).to.equal(cap);
        expect(retryLaterDelay(n, base, cap, () => 0.5)).to.be.within(low, cap);
      }
    }
  });
});

describe('close policy of a connection (core, fake timers)', () => {
  const h = useMockConnection({ interval: 1000, timeout: 500, reconnectDelay: 100, reconnectMaxDelay: 2000, healthyAfter: 1000 });
  const serverCloses = (code: number, reason = '') => h.server.clients().at(-1)!.close({ code, reason, wasClean: true });

  for (const code of [1002, 1003, 1007, 1008, 1009, 1010]) {
    it(`the server closing with ${code} ends in failed, with a server-rejected error and no retry`, async () => {
      const { connection, log } = await h.openConnection();
      serverCloses(code, 'go away');
      await h.clock.tickAsync(60_000);
      expect(connection.status).to.equal('failed');
      expect(ofType(log, 'close').at(-1)!.detail).to.include({ code, reason: 'go away', willReconnect: false });
      const error = ofType(log, 'error').at(-1)!.detail;
      expect(error.code).to.equal('server-rejected');
      expect(error.data).to.deep.equal({ code, reason: 'go away' });
      expect(error.message).to.contain(String(code)).and.contain('go away');
      expect(ofType(log, 'retry')).to.deep.equal([]);
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
      expect(h.clock.countTimers()).to.equal(0);
      // reconnect() starts again.
      connection.reconnect();
      await h.clock.tickAsync(10);
      expect(connection.status).to.equal('open');
    });
  }

  for (const [setting, code, expected] of [
    [{ fatalCloseCodes: '4403' }, 4403, 'failed'],
    [{ fatalCloseCodes: '4403' }, 1008, 'reconnecting'], // the list replaces the defaults
    [{ fatalCloseCodes: '' }, 1002, 'reconnecting'],
    [{ fatalCloseCodes: [4403, 4404] }, 4404, 'failed'],
    [{ retryLaterCloseCodes: '4503' }, 4503, 'reconnecting'],
  ] as Array<[HeartbeatOptions, number, string]>) {
    it(`${JSON.stringify(setting)}: the server closing with ${code} → ${expected}`, async () => {
      const { connection, log } = await h.openConnection(setting);
      serverCloses(code);
      await h.clock.tickAsync(5);
      expect(connection.status).to.equal(expected);
      expect(ofType(log, 'error').filter((e) => e.detail.code === 'invalid-option')).to.deep.equal([]);
    });
  }

  for (const name of ['fatalCloseCodes', 'refreshCloseCodes', 'retryLaterCloseCodes'] as const) {
    for (const value of ['1000', '1006', 'soon', 42, [5000]]) {
      it(`${name} = ${JSON.stringify(value)}: an error event and the default`, async () => {
        const { connection, log } = h.create({ [name]: value } as HeartbeatOptions);
        await Promise.resolve();
        expect(ofType(log, 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-option']);
        expect(ofType(log, 'error')[0]!.detail.message).to.contain(name);
        expect(connection.options[name]).to.deep.equal(DEFAULTS[name]);
      });
    }
  }

  it('4401: retries at once asking the url provider for a fresh url; a second 4401 before a healthy connection ends in failed', async () => {
    const asked: Array<{ attempt: number; refresh: boolean }> = [];
    const { connection, log } = h.create({ urlProvider: (context) => (asked.push(context), MOCK_URL) });
    connection.start();
    await h.clock.tickAsync(10);
    expect(connection.status).to.equal('open');
    serverCloses(4401, 'token expired');
    await h.clock.tickAsync(5);
    expect(ofType(log, 'retry').at(-1)!.detail.delay).to.equal(0);
    expect(ofType(log, 'close').at(-1)!.detail).to.include({ code: 4401, willReconnect: true });
    await h.clock.tickAsync(10);
    expect(connection.status).to.equal('open');
    expect(asked).to.deep.equal([
      { attempt: 0, refresh: false },
      { attempt: 1, refresh: true },
    ]);
    serverCloses(4401, 'token expired');
    await h.clock.tickAsync(60_000);
    expect(connection.status).to.equal('failed');
    expect(ofType(log, 'error').at(-1)!.detail).to.include({ code: 'server-rejected' });
    expect(ofType(log, 'error').at(-1)!.detail.message).to.contain('again after a fresh url');
    expect(BrowserLikeMockSocket.instances).to.have.length(2);
  });

  it('4401 after a healthy connection is a new refresh, not a recurrence', async () => {
    const asked: boolean[] = [];
    const { connection } = h.create({ interval: 0, urlProvider: ({ refresh }) => (asked.push(refresh), MOCK_URL) });
    connection.start();
    await h.clock.tickAsync(10);
    serverCloses(4401);
    await h.clock.tickAsync(10);
    expect(connection.status).to.equal('open');
    await h.clock.tickAsync(1500); // healthyAfter 1000, heartbeat off
    serverCloses(4401);
    await h.clock.tickAsync(10);
    expect(connection.status).to.equal('open');
    expect(asked).to.deep.equal([false, true, true]);
  });

  it('4401 followed by a network loss, then 4401 again: still a recurrence (no healthy connection between)', async () => {
    const { connection } = await h.openConnection({ interval: 0 });
    serverCloses(4401);
    await h.clock.tickAsync(10);
    serverCloses(1006);
    await h.clock.tickAsync(200);
    expect(connection.status).to.equal('open');
    serverCloses(4401);
    await h.clock.tickAsync(10);
    expect(connection.status).to.equal('failed');
  });

  for (const code of [1012, 1013]) {
    for (const random of [0, 0.5, 1]) {
      it(`${code}, jitter ${random}: the retry is drawn over [half the backoff ceiling, the cap]`, async () => {
        const { connection, log } = await h.openConnection({ interval: 0 }, { random: () => random });
        serverCloses(code, 'deploy');
        await h.clock.tickAsync(5);
        const retry = ofType(log, 'retry').at(-1)!;
        expect(ofType(log, 'close').at(-1)!.detail).to.include({ code, willReconnect: true });
        // base 100, cap 2000: a plain loss would draw from [50, 100].
        expect(retry.detail.delay).to.equal(Math.round(50 + random * 1950));
        await h.clock.tickAsync(retry.at + retry.detail.delay - 1 - Date.now());
        expect(BrowserLikeMockSocket.instances).to.have.length(1);
        await h.clock.tickAsync(15);
        expect(connection.status).to.equal('open');
      });
    }
  }
});
