import { expect } from '@open-wc/testing';
import { CloseCode } from '../../src/core/index.js';
import { BrowserLikeMockSocket, countingClock } from '../helpers/mock.js';
import { ofType, useMockConnection } from '../helpers/connection.js';

// The contract's heartbeat promise over a grid of settings: after `interval` ms of inbound
// silence a ping goes out (so, with a server that answers at once, pings are `interval` + the
// round trip apart), and a silent line is found `interval + timeout` ms after the last inbound
// message. Issue 8 §1a: both broke when `timeout > interval`.
const GRID: Array<[interval: number, timeout: number]> = [
  [1000, 500], // timeout below interval
  [1000, 1000], // equal
  [500, 2000], // above
  [500, 10_000], // above: the default timeout with a short interval
  [300, 900],
  // Tiny: mock-socket takes 4 ms each way, so a timeout under ~10 ms could never be met.
  [5, 10],
  [2, 50],
  [3_600_000, 7_200_000], // huge
  [60_000, 10], // huge interval, tiny timeout
];

describe('heartbeat over a grid of interval/timeout settings (core, fake timers)', () => {
  const h = useMockConnection();

  /**
   * From the next connection on, the server answers every ping with a pong at once; `pings` are
   * the client's send times. Set up before opening: with a tiny interval the first ping goes out
   * while the test still waits for `open`.
   */
  function answerPings() {
    let muted = false;
    h.server.on('connection', (client) => {
      client.on('message', (data) => {
        if (data === 'ping' && !muted) client.send('pong');
      });
    });
    return {
      get pings() {
        return BrowserLikeMockSocket.instances[0]!.sent.filter((m) => m.data === 'ping').map((m) => m.at);
      },
      mute: () => (muted = true),
    };
  }

  for (const [interval, timeout] of GRID) {
    describe(`interval ${interval}, timeout ${timeout}`, () => {
      it('pings go out `interval` ms after the last inbound message (the pong), round after round', async () => {
        const server = answerPings();
        const { connection, log } = await h.openConnection({ interval, timeout });
        const rounds = 6;
        await h.clock.tickAsync(rounds * (interval + 10) + 10);
        const beats = ofType(log, 'heartbeat');
        expect(server.pings.length, 'pings seen').to.be.at.least(rounds - 1);
        expect(beats.length).to.be.at.least(rounds - 1);
        const openedAt = ofType(log, 'open')[0]!.at;
        expect(server.pings[0]! - openedAt).to.equal(interval);
        for (let i = 1; i < server.pings.length; i++) {
          // The ping before was answered at beats[i-1].at: the next is due `interval` later.
          expect(server.pings[i]! - beats[i - 1]!.at, `ping ${i}`).to.equal(interval);
        }
        expect(connection.status).to.equal('open');
        expect(ofType(log, 'close')).to.deep.equal([]);
      });

      it('a line that goes silent after a pong is found `interval + timeout` ms after that pong', async () => {
        const server = answerPings();
        const { connection, log } = await h.openConnection({ interval, timeout });
        await h.clock.tickAsync(2 * interval + 20);
        const lastBeat = ofType(log, 'heartbeat').at(-1)!;
        expect(lastBeat, 'a pong was heard').to.exist;
        server.mute();
        const lastInbound = lastBeat.at;
        await h.clock.tickAsync(lastInbound + interval + timeout - 1 - Date.now());
        expect(ofType(log, 'close'), 'not declared dead early').to.deep.equal([]);
        await h.clock.tickAsync(1 + 1);
        const close = ofType(log, 'close')[0];
        expect(close, 'declared dead by interval + timeout').to.exist;
        expect(close!.detail.code).to.equal(CloseCode.HeartbeatTimeout);
        expect(close!.at - lastInbound).to.equal(interval + timeout);
        expect(connection.status).to.not.equal('open');
      });
    });
  }

  it('with timeout > interval: at most one timer operation per heartbeat round, none per message', async () => {
    answerPings();
    const operationsFor: Record<number, number> = {};
    for (const perRound of [0, 1, 50]) {
      const counting = countingClock();
      const { connection } = await h.openConnection({ interval: 500, timeout: 2000 }, { clock: counting });
      const client = h.server.clients().at(-1)!;
      const socket = BrowserLikeMockSocket.instances.at(-1)!;
      const before = counting.set + counting.cleared;
      for (let round = 0; round < 10; round++) {
        await h.clock.tickAsync(100);
        for (let i = 0; i < perRound; i++) client.send(`m${i}`);
        await h.clock.tickAsync(500);
      }
      operationsFor[perRound] = counting.set + counting.cleared - before;
      const rounds = socket.sent.filter((m) => m.data === 'ping').length;
      expect(rounds).to.be.at.least(5);
      // Per round: the timer fires and is set again, and the reply moves it (a clear and a set).
      if (perRound === 0) expect(operationsFor[0], `${rounds} rounds`).to.be.at.most(3 * rounds + 3);
      connection.close();
    }
    expect(operationsFor[50], 'fifty messages a round cost what one does').to.equal(operationsFor[1]);
  });
});
