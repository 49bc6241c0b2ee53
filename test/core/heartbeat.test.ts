import { expect } from '@open-wc/testing';
import { CloseCode, Heartbeat, WAKE_LATENESS } from '../../src/core/index.js';
import { BrowserLikeMockSocket, countingClock } from '../helpers/mock.js';
import { ofType, types, useMockConnection } from '../helpers/connection.js';

const INTERVAL = 1000;
const TIMEOUT = 500;

// The Heartbeat module alone, against a hand-driven clock: no socket, no connection.
/**
 * How inbound messages are stamped: `clock`, the heartbeat reads the clock per message (as with
 * `ws`, whose events carry no stamp); `event`, each message's event carries its time on the
 * clock's scale (a browser's `Event.timeStamp`), read through `clock.eventTime`.
 */
type Stamps = 'clock' | 'event';
type StampedEvent = { data: unknown; timeStamp?: number };

/** A clock whose time moves only when told; timers fire in order as it moves. */
function manualClock(stamps: Stamps = 'clock') {
  let now = 0;
  let wallOffset = 1_000_000;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const clock = {
    operations: 0,
    /** Reads of now() and wallNow(): what a message costs when its event carries no stamp. */
    reads: 0,
    /** Reads of an event's stamp. */
    stampReads: 0,
    now: () => {
      clock.reads++;
      return now;
    },
    wallNow: () => {
      clock.reads++;
      return now + wallOffset;
    },
    eventTime:
      stamps === 'event'
        ? (event: StampedEvent) => {
            clock.stampReads++;
            return event.timeStamp;
          }
        : undefined,
    /** An inbound message event made now, stamped as a browser stamps it. */
    event: (data: unknown = 'm'): StampedEvent => (stamps === 'event' ? { data, timeStamp: now } : { data }),
    setTimeout(callback: () => void, ms: number) {
      clock.operations++;
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle: unknown) {
      clock.operations++;
      timers.delete(handle as number);
    },
    /** Moves time on by `ms`, firing due timers in order (each `lateBy` ms late, like a busy or sleeping page). */
    advance(ms: number, lateBy = 0) {
      const end = now + ms;
      for (let guard = 0; guard < 100_000; guard++) {
        let first: [number, { at: number; callback: () => void }] | undefined;
        for (const entry of timers) if (!first || entry[1].at < first[1].at) first = entry;
        if (!first || first[1].at + lateBy > end) break;
        now = Math.max(now, first[1].at + lateBy);
        timers.delete(first[0]);
        first[1].callback();
      }
      now = end;
    },
    /** The wall clock jumps (NTP, the user) without the monotonic one moving. */
    stepWall(ms: number) {
      wallOffset += ms;
    },
    /** The machine sleeps: the wall clock runs on, the monotonic clock and the timers do not. */
    sleep(ms: number) {
      wallOffset += ms;
    },
    pending: () => timers.size,
  };
  return clock;
}

function watched(interval: number, timeout: number, stamps: Stamps = 'clock') {
  const clock = manualClock(stamps);
  const events: Array<{ type: 'ping' | 'dead'; at: number }> = [];
  let answer: 'at once' | 'never' = 'never';
  const heartbeat: Heartbeat = new Heartbeat(clock, {
    sendPing: () => {
      events.push({ type: 'ping', at: clock.now() });
      if (answer === 'at once') heartbeat.inbound(clock.event('pong'));
    },
    lineDead: () => events.push({ type: 'dead', at: clock.now() }),
  });
  heartbeat.start(interval, timeout);
  return {
    clock,
    heartbeat,
    events,
    answer(how: 'at once' | 'never') {
      answer = how;
    },
    /** An inbound message now: what the connection passes for each socket message. */
    message: (data?: unknown) => heartbeat.inbound(clock.event(data)),
    pings: () => events.filter((e) => e.type === 'ping').map((e) => e.at),
    deaths: () => events.filter((e) => e.type === 'dead').map((e) => e.at),
  };
}

for (const stamps of ['clock', 'event'] as const) {
  describe(`Heartbeat (the module, a manual clock, ${stamps} stamps)`, () => {
    const grid: Array<[number, number]> = [
      [1000, 500],
      [1000, 1000],
      [500, 2000],
      [500, 10_000],
      [1, 1],
      [1, 1000],
      [3_600_000, 7_200_000],
      [60_000, 1],
    ];
    for (const [interval, timeout] of grid) {
      it(`interval ${interval}, timeout ${timeout}: answered pings go out every interval; silence is dead interval + timeout after the last reply`, () => {
        const t = watched(interval, timeout, stamps);
        t.answer('at once');
        t.clock.advance(5 * interval);
        expect(t.pings()).to.deep.equal([1, 2, 3, 4, 5].map((n) => n * interval));
        t.answer('never');
        const lastReply = t.pings().at(-1)!;
        t.clock.advance(interval + timeout + 10 * interval);
        expect(t.deaths()).to.deep.equal([lastReply + interval + timeout]);
        expect(t.clock.pending(), 'no timer after death').to.equal(0);
      });

      it(`interval ${interval}, timeout ${timeout}: any message moves the next ping to interval after it, with no timer work per message`, () => {
        const t = watched(interval, timeout, stamps);
        t.clock.advance(interval / 2);
        const before = t.clock.operations;
        for (let i = 0; i < 100; i++) t.message();
        expect(t.clock.operations, 'no timer work per message').to.equal(before);
        t.clock.advance(interval / 2); // the timer wakes, sees the messages, waits on
        expect(t.pings()).to.deep.equal([]);
        t.clock.advance(interval / 2);
        expect(t.pings()).to.deep.equal([1.5 * interval]);
        const ops = t.clock.operations;
        t.message(); // the reply
        for (let i = 0; i < 100; i++) t.message();
        // At most one move of the timer per round (a clear and a set), only when the deadline is later.
        expect(t.clock.operations - ops).to.equal(timeout > interval ? 2 : 0);
        t.clock.advance(interval);
        expect(t.pings()).to.deep.equal([1.5 * interval, 2.5 * interval]);
        expect(t.deaths()).to.deep.equal([]);
      });
    }

    it('inbound() returns the round trip of the ping it answers, once; -1 otherwise', () => {
      const t = watched(100, 50, stamps);
      expect(t.message()).to.equal(-1);
      t.clock.advance(100);
      t.clock.advance(7);
      expect(t.message()).to.equal(7);
      expect(t.message()).to.equal(-1);
      expect(t.heartbeat.heard).to.equal(true);
    });

    it('a wall-clock step back or forward neither stalls nor fires the heartbeat', () => {
      for (const step of [-3_600_000, 3_600_000]) {
        const t = watched(1000, 500, stamps);
        t.answer('at once');
        t.clock.stepWall(step);
        t.clock.advance(999);
        expect(t.pings()).to.deep.equal([]);
        t.clock.advance(1);
        expect(t.pings()).to.deep.equal([1000]);
        t.clock.advance(5000);
        expect(t.pings()).to.deep.equal([1000, 2000, 3000, 4000, 5000, 6000]);
        expect(t.deaths()).to.deep.equal([]);
      }
    });

    it('a deadline that fires long after it was due (the machine slept) gives one fresh probe, not a death', () => {
      const t = watched(1000, 500, stamps);
      t.clock.advance(1000); // ping at 1000
      t.clock.sleep(60_000);
      t.clock.advance(500 + WAKE_LATENESS + 1, WAKE_LATENESS + 1);
      expect(t.deaths()).to.deep.equal([]);
      expect(t.pings()).to.have.length(2);
      const probeAt = t.pings()[1]!;
      t.clock.advance(500);
      expect(t.deaths()).to.deep.equal([probeAt + 500]);
    });

    it('the wake-up probe is given once: a late deadline after it is a death', () => {
      const t = watched(1000, 500, stamps);
      t.clock.advance(1000);
      t.clock.advance(500 + WAKE_LATENESS + 1, WAKE_LATENESS + 1);
      expect(t.pings()).to.have.length(2);
      t.clock.advance(500 + WAKE_LATENESS + 1, WAKE_LATENESS + 1);
      expect(t.deaths()).to.have.length(1);
    });

    it('probe() pings now with a fresh deadline, unless a ping is in flight; probeIfStale() only after interval of quiet', () => {
      const t = watched(10_000, 500, stamps);
      t.clock.advance(3000);
      t.heartbeat.probeIfStale();
      expect(t.pings()).to.deep.equal([]);
      t.clock.sleep(60_000);
      t.heartbeat.probeIfStale();
      expect(t.pings()).to.deep.equal([3000]);
      t.heartbeat.probe();
      expect(t.pings()).to.deep.equal([3000]);
      t.clock.advance(500);
      expect(t.deaths()).to.deep.equal([3500]);
    });

    it('interval 0 is off: no timer, no ping, no probe; stop() leaves no timer', () => {
      const t = watched(0, 500, stamps);
      t.clock.advance(3_600_000);
      t.heartbeat.probe();
      expect(t.events).to.deep.equal([]);
      expect(t.clock.pending()).to.equal(0);
      const u = watched(1000, 500, stamps);
      u.heartbeat.stop();
      expect(u.clock.pending()).to.equal(0);
      u.clock.advance(10_000);
      expect(u.events).to.deep.equal([]);
    });

    it('timeout 0 pings every interval and never judges', () => {
      const t = watched(1000, 0, stamps);
      t.clock.advance(5000);
      expect(t.pings()).to.deep.equal([1000, 2000, 3000, 4000, 5000]);
      expect(t.deaths()).to.deep.equal([]);
    });

    it('configure() applies a new interval at once', () => {
      const t = watched(10_000, 500, stamps);
      t.clock.advance(100);
      t.heartbeat.configure(200, 500);
      t.clock.advance(100);
      expect(t.pings()).to.deep.equal([200]);
    });

    it('a sendPing that throws is judged by the deadline, not the throw', () => {
      const clock = manualClock(stamps);
      const deaths: number[] = [];
      const heartbeat = new Heartbeat(clock, {
        sendPing: () => {
          throw new Error('socket is closing');
        },
        lineDead: () => deaths.push(clock.now()),
      });
      heartbeat.start(1000, 500);
      clock.advance(2000);
      expect(deaths).to.deep.equal([1500]);
    });
  });
}

describe('Heartbeat: event stamps instead of a clock read per message', () => {
  it('a message costs no clock read: the first one checks its stamp, the rest are kept, and the heartbeat reads one stamp when it wakes', () => {
    const t = watched(1000, 500, 'event');
    t.clock.advance(100);
    t.message();
    const reads = t.clock.reads;
    const stampReads = t.clock.stampReads;
    for (let i = 0; i < 1000; i++) t.message();
    expect(t.clock.reads - reads, 'clock reads for 1000 messages').to.equal(0);
    expect(t.clock.stampReads - stampReads, 'stamps read for 1000 messages').to.equal(0);
    t.clock.advance(900); // the timer wakes at 1000 and reads the last stamp, 100
    expect(t.clock.stampReads - stampReads).to.equal(1);
    expect(t.pings()).to.deep.equal([]);
    t.clock.advance(100);
    expect(t.pings()).to.deep.equal([1100]);
  });

  for (const [interval, timeout, first] of [
    [1000, 500, true],
    [1000, 500, false],
    [300, 900, true],
    [300, 900, false],
    [60_000, 1, false],
  ] as const) {
    it(`interval ${interval}, timeout ${timeout}: a message counts from its stamp, not from when the heartbeat reads it (${first ? "the socket's first message" : 'after others'})`, () => {
      const t = watched(interval, timeout, 'event');
      if (!first) {
        t.clock.advance(1);
        t.message();
      }
      const madeAt = interval / 2;
      t.clock.advance(madeAt - t.clock.now());
      const late = t.clock.event('made before a busy task');
      // The page was busy: the event is dispatched a quarter interval after it was made.
      t.clock.advance(interval / 4);
      t.heartbeat.inbound(late);
      t.clock.advance(madeAt + interval - t.clock.now() - 1);
      expect(t.pings()).to.deep.equal([]);
      t.clock.advance(1);
      expect(t.pings()).to.deep.equal([madeAt + interval]);
      // And silence after it is found interval + timeout after that stamp.
      t.clock.advance(timeout);
      expect(t.deaths()).to.deep.equal([madeAt + interval + timeout]);
    });
  }

  const untrusted: Array<[string, (now: number) => number | undefined]> = [
    ['epoch ms (another clock)', (now) => 1_764_000_000_000 + now],
    ['none (as ws makes them)', () => undefined],
    ['long before now', (now) => now - 5_000],
    ['NaN', () => NaN],
  ];
  for (const [what, stampOf] of untrusted) {
    it(`stamps that are ${what} are not trusted: the clock is read per message and the timing holds`, () => {
      const u = watched(1000, 500, 'event');
      u.clock.advance(500);
      const reads = u.clock.reads;
      for (let i = 0; i < 10; i++) u.heartbeat.inbound({ data: 'm', timeStamp: stampOf(u.clock.now()) });
      expect(u.clock.reads - reads, 'one clock read per message').to.be.at.least(10);
      u.clock.advance(999);
      expect(u.pings()).to.deep.equal([]);
      u.clock.advance(1);
      expect(u.pings()).to.deep.equal([1500]);
      u.clock.advance(500);
      expect(u.deaths()).to.deep.equal([2000]);
    });
  }

  it('each start checks again: a socket whose events carry no stamp after one whose events did', () => {
    const t = watched(1000, 500, 'event');
    t.clock.advance(100);
    t.message();
    t.heartbeat.start(1000, 500);
    t.clock.advance(400); // now 500, quiet since the start at 100
    const reads = t.clock.reads;
    for (let i = 0; i < 10; i++) t.heartbeat.inbound({ data: 'm' });
    expect(t.clock.reads - reads).to.be.at.least(10);
    t.clock.advance(1000);
    expect(t.pings()).to.deep.equal([1500]);
  });
});

describe('HeartbeatConnection: the heartbeat (core, mock-socket, fake timers)', () => {
  const h = useMockConnection({ interval: INTERVAL, timeout: TIMEOUT, reconnectDelay: 100, reconnectMaxDelay: 2000 });

  describe('heartbeat', () => {
    const openedAt = (log: Array<{ type: string; at: number }>) => log.find((e) => e.type === 'open')!.at;
    const sent = () => BrowserLikeMockSocket.instances[0]!.sent;

    it('sends the ping after `interval` ms of inbound silence, not before', async () => {
      const { log } = await h.openConnection();
      await h.clock.tickAsync(openedAt(log) + INTERVAL - 1 - Date.now());
      expect(sent()).to.deep.equal([]);
      await h.clock.tickAsync(1);
      expect(sent()).to.deep.equal([{ data: 'ping', at: openedAt(log) + INTERVAL }]);
      await h.clock.tickAsync(10);
      expect(h.received).to.deep.equal(['ping']);
    });

    it('inbound traffic moves the ping on', async () => {
      const { log } = await h.openConnection();
      await h.clock.tickAsync(600);
      h.server.clients()[0]!.send('news');
      await h.clock.tickAsync(10);
      const newsAt = log.find((e) => e.type === 'message')!.at;
      await h.clock.tickAsync(newsAt + INTERVAL - 1 - Date.now());
      expect(sent()).to.deep.equal([]);
      await h.clock.tickAsync(1);
      expect(sent()).to.deep.equal([{ data: 'ping', at: newsAt + INTERVAL }]);
    });

    it('consumes the pong: no message event, a heartbeat event with the latency', async () => {
      const { log, connection } = await h.openConnection();
      h.server.on('message', () => undefined);
      const client = h.server.clients()[0]!;
      client.on('message', (data) => {
        if (data === 'ping') setTimeout(() => client.send('pong'), 40);
      });
      await h.clock.tickAsync(INTERVAL + 100);
      expect(types(log)).not.to.include('message');
      const heartbeat = log.find((e) => e.type === 'heartbeat')!;
      expect(heartbeat.detail.pong).to.equal(true);
      expect(heartbeat.detail.latency).to.be.within(40, 50);
      expect(connection.status).to.equal('open');
    });

    it('declares the connection dead `timeout` ms after an unanswered ping, and reconnects at once', async () => {
      const { connection, log } = await h.openConnection();
      await h.clock.tickAsync(openedAt(log) + INTERVAL + TIMEOUT - 1 - Date.now());
      expect(connection.status).to.equal('open');
      await h.clock.tickAsync(1);
      expect(connection.status).to.equal('reconnecting');
      const close = log.find((e) => e.type === 'close')!;
      expect(close.at - openedAt(log)).to.equal(INTERVAL + TIMEOUT);
      expect(close.detail.code).to.equal(CloseCode.HeartbeatTimeout);
      expect(close.detail.code).to.be.within(4000, 4999);
      expect(close.detail.reason).to.match(/heartbeat timeout/);
      expect(close.detail.willReconnect).to.equal(true);
      expect(BrowserLikeMockSocket.instances[0]!.closeCalls[0]!.code).to.equal(CloseCode.HeartbeatTimeout);
      expect(log.find((e) => e.type === 'retry')!.detail.delay).to.equal(0);
      await h.clock.tickAsync(1); // a 0 ms timer set inside a fake-timer tick runs 1 ms later
      expect(connection.status).to.equal('connecting');
      // The new socket follows the old one's close handshake (4 ms in mock-socket), never both.
      await h.clock.tickAsync(5);
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
      expect(BrowserLikeMockSocket.instances[0]!.readyState).to.equal(3);
    });

    it('does not wait for the dead socket: its late close event is ignored', async () => {
      const { connection, log } = await h.openConnection();
      const dead = BrowserLikeMockSocket.instances[0]!;
      await h.clock.tickAsync(INTERVAL + TIMEOUT);
      const closes = log.filter((e) => e.type === 'close').length;
      await h.clock.tickAsync(20);
      expect(connection.status).to.equal('open');
      dead.dispatchEvent(Object.assign(new Event('close'), { code: 1006, reason: '', wasClean: false }));
      expect(log.filter((e) => e.type === 'close').length).to.equal(closes);
      expect(connection.status).to.equal('open');
    });

    it('any inbound message after the ping proves the line alive', async () => {
      const { connection, log } = await h.openConnection();
      await h.clock.tickAsync(INTERVAL + TIMEOUT - 100);
      h.server.clients()[0]!.send('still here');
      await h.clock.tickAsync(300);
      expect(connection.status).to.equal('open');
      expect(log.find((e) => e.type === 'heartbeat')!.detail.pong).to.equal(false);
    });

    it('creates and clears no timer per inbound message', async () => {
      const counting = countingClock();
      await h.openConnection({}, { clock: counting });
      const set = counting.set;
      const cleared = counting.cleared;
      const client = h.server.clients()[0]!;
      for (let i = 0; i < 200; i++) client.send(`m${i}`);
      await h.clock.tickAsync(5);
      expect(counting.set).to.equal(set);
      expect(counting.cleared).to.equal(cleared);
    });

    it('interval 0 turns the heartbeat off', async () => {
      const { connection } = await h.openConnection({ interval: 0 });
      await h.clock.tickAsync(10 * 60_000);
      expect(h.received).to.deep.equal([]);
      expect(connection.status).to.equal('open');
    });

    it('timeout 0 keeps pinging every interval but never declares death', async () => {
      const { connection } = await h.openConnection({ timeout: 0 });
      await h.clock.tickAsync(5 * INTERVAL);
      expect(h.received).to.deep.equal(['ping', 'ping', 'ping', 'ping', 'ping']);
      expect(connection.status).to.equal('open');
    });

    it('a new interval takes effect without reconnecting', async () => {
      const { connection } = await h.openConnection();
      connection.configure({ interval: 200 });
      await h.clock.tickAsync(200);
      expect(h.received).to.deep.equal(['ping']);
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
    });

    it('a huge interval does not overflow the timer into a spin', async () => {
      const counting = countingClock();
      await h.openConnection({ interval: 1e12 }, { clock: counting });
      await h.clock.tickAsync(60_000);
      expect(h.received).to.deep.equal([]);
      expect(counting.set).to.be.below(5);
    });

    it('custom ping and pong texts', async () => {
      const { log } = await h.openConnection({ pingMessage: '{"t":"hb"}', pongMessage: '{"t":"hb-ack"}' });
      const client = h.server.clients()[0]!;
      client.on('message', (data) => data === '{"t":"hb"}' && client.send('{"t":"hb-ack"}'));
      await h.clock.tickAsync(INTERVAL + 50);
      expect(h.received).to.deep.equal(['{"t":"hb"}']);
      expect(types(log)).not.to.include('message');
      expect(types(log)).to.include('heartbeat');
    });
  });

  describe('clocks', () => {
    it('a wall-clock step backwards neither stalls nor fires the heartbeat', async () => {
      const { log } = await h.openConnection();
      h.clock.setSystemTime(Date.now() - 3_600_000); // NTP, or the user setting the clock back
      await h.clock.tickAsync(INTERVAL + TIMEOUT + 10);
      expect(log.find((e) => e.type === 'close')?.detail.code).to.equal(CloseCode.HeartbeatTimeout);
      expect(log.find((e) => e.type === 'heartbeat')).to.equal(undefined);
    });

    it('a wall-clock step forward before a message does not postpone the heartbeat by the step', async () => {
      const { log } = await h.openConnection();
      h.clock.setSystemTime(Date.now() + 3_600_000);
      h.server.clients()[0]!.send('news'); // arrives with a wall time an hour "later"
      await h.clock.tickAsync(10);
      const newsAt = log.find((e) => e.type === 'message')!.at;
      await h.clock.tickAsync(INTERVAL + TIMEOUT + 10);
      const close = log.find((e) => e.type === 'close');
      expect(close?.detail.code).to.equal(CloseCode.HeartbeatTimeout);
      expect(close!.at - newsAt).to.be.at.most(INTERVAL + TIMEOUT + 10);
    });

    it('a wall-clock step forward does not kill a healthy line', async () => {
      const { connection } = await h.openConnection();
      const client = h.server.clients()[0]!;
      client.on('message', (data) => data === 'ping' && client.send('pong'));
      h.clock.setSystemTime(Date.now() + 3_600_000);
      await h.clock.tickAsync(5 * (INTERVAL + TIMEOUT));
      expect(connection.status).to.equal('open');
    });
  });
});

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
        expect(lastBeat, 'a pong was heard').not.to.equal(undefined);
        server.mute();
        const lastInbound = lastBeat.at;
        await h.clock.tickAsync(lastInbound + interval + timeout - 1 - Date.now());
        expect(ofType(log, 'close'), 'not declared dead early').to.deep.equal([]);
        await h.clock.tickAsync(1 + 1);
        const close = ofType(log, 'close')[0];
        expect(close, 'declared dead by interval + timeout').not.to.equal(undefined);
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
