import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { CLOSE_HANDSHAKE_WAIT, CloseCode, DEAD_SOCKET_CLOSE_WAIT, HeartbeatConnection, type HeartbeatOptions, type WebSocketConstructor } from '../../src/core/index.js';
import { BrowserLikeMockSocket, Server, StalledSocket, countingClock, recordEvents } from '../helpers/mock.js';

const URL_ = 'ws://mock.test/socket';
const INTERVAL = 1000;
const TIMEOUT = 500;

describe('HeartbeatConnection (core, mock-socket, fake timers)', () => {
  let clock: sinon.SinonFakeTimers;
  let server: Server;
  let received: unknown[];
  let connection: HeartbeatConnection | undefined;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
    BrowserLikeMockSocket.instances = [];
    StalledSocket.instances = [];
    received = [];
    server = new Server(URL_, { mock: false });
    server.on('connection', (socket) => {
      socket.on('message', (data) => received.push(data));
    });
  });

  afterEach(() => {
    connection?.close();
    connection = undefined;
    server.stop();
    clock.restore();
  });

  function create(options: HeartbeatOptions = {}, env: Record<string, unknown> = {}) {
    connection = new HeartbeatConnection(
      { url: URL_, interval: INTERVAL, timeout: TIMEOUT, reconnectDelay: 100, reconnectMaxDelay: 2000, ...options },
      { WebSocket: BrowserLikeMockSocket, random: () => 0.5, ...env },
    );
    const log = recordEvents(connection);
    return { connection, log };
  }

  async function openConnection(options: HeartbeatOptions = {}, env: Record<string, unknown> = {}) {
    const made = create(options, env);
    made.connection.start();
    await clock.tickAsync(10);
    expect(made.connection.status).to.equal('open');
    return made;
  }

  const types = (log: Array<{ type: string }>) => log.map((e) => e.type);
  const statuses = (log: Array<{ type: string; detail: any }>) =>
    log.filter((e) => e.type === 'status-change').map((e) => e.detail.status);

  describe('state machine', () => {
    it('starts idle and does nothing until start()', async () => {
      const { connection, log } = create();
      await clock.tickAsync(5000);
      expect(connection.status).to.equal('idle');
      expect(BrowserLikeMockSocket.instances).to.have.length(0);
      expect(log).to.deep.equal([]);
    });

    it('start() without a url stays idle, with an error event', async () => {
      const { connection, log } = create({ url: '' });
      connection.start();
      expect(connection.status).to.equal('idle');
      expect(log.map((e) => e.detail.code)).to.deep.equal(['invalid-url']);
      expect(BrowserLikeMockSocket.instances).to.have.length(0);
    });

    it('goes idle → connecting → open, announcing status before open', async () => {
      const { log } = await openConnection();
      expect(types(log)).to.deep.equal(['status-change', 'status-change', 'open']);
      expect(log[0]!.detail).to.deep.equal({ status: 'connecting', previous: 'idle' });
      expect(log[1]!.detail).to.deep.equal({ status: 'open', previous: 'connecting' });
      expect(log[2]!.detail).to.deep.equal({ url: URL_ });
    });

    it('events do not bubble and are CustomEvents', async () => {
      const { connection } = create();
      const seen: Event[] = [];
      connection.addEventListener('status-change', (e) => seen.push(e));
      connection.start();
      expect(seen[0]).to.be.instanceOf(CustomEvent);
      expect(seen[0]!.bubbles).to.equal(false);
    });

    it('a server close with 1000 ends in closed, with no retry', async () => {
      const { connection, log } = await openConnection();
      server.clients()[0]!.close({ code: 1000, reason: 'bye', wasClean: true });
      await clock.tickAsync(60_000);
      expect(connection.status).to.equal('closed');
      const close = log.find((e) => e.type === 'close')!;
      expect(close.detail).to.include({ code: 1000, reason: 'bye', willReconnect: false });
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
      expect(clock.countTimers()).to.equal(0);
    });

    for (const code of [1001, 1006, 1011, 4321]) {
      it(`a server close with ${code} leads to a retry with backoff`, async () => {
        const { connection, log } = await openConnection();
        server.clients()[0]!.close({ code, reason: 'x', wasClean: code !== 1006 });
        await clock.tickAsync(5);
        expect(connection.status).to.equal('reconnecting');
        expect(statuses(log).slice(-1)).to.deep.equal(['reconnecting']);
        const close = log.find((e) => e.type === 'close')!;
        expect(close.detail).to.include({ code, willReconnect: true });
        const retry = log.find((e) => e.type === 'retry')!;
        // random 0.5 with equal jitter: 3/4 of the base delay.
        expect(retry.detail).to.deep.equal({ attempt: 1, delay: 75, maxRetries: Infinity });
        await clock.tickAsync(retry.at + 74 - Date.now());
        expect(BrowserLikeMockSocket.instances).to.have.length(1);
        await clock.tickAsync(1);
        expect(connection.status).to.equal('connecting');
        expect(BrowserLikeMockSocket.instances).to.have.length(2);
        await clock.tickAsync(10);
        expect(connection.status).to.equal('open');
      });
    }

    it('close() ends in closed, clears every timer, and never retries', async () => {
      const { connection, log } = await openConnection();
      connection.close(4100, 'done');
      expect(connection.status).to.equal('closed');
      expect(clock.countTimers()).to.be.at.most(1); // only mock-socket's own close delivery
      await clock.tickAsync(60_000);
      expect(clock.countTimers()).to.equal(0);
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
      expect(BrowserLikeMockSocket.instances[0]!.closeCalls).to.deep.equal([{ code: 4100, reason: 'done' }]);
      expect(log.find((e) => e.type === 'close')!.detail).to.deep.equal({ code: 4100, reason: 'done', wasClean: true, willReconnect: false });
    });

    it('close() while connecting ends the handshake and stays closed', async () => {
      const { connection } = create();
      connection.start();
      connection.close();
      await clock.tickAsync(60_000);
      expect(connection.status).to.equal('closed');
      expect(BrowserLikeMockSocket.live()).to.equal(0);
      expect(server.clients()).to.have.length(0);
      expect(clock.countTimers()).to.equal(0);
    });

    it('close() while waiting for a retry cancels the retry', async () => {
      const { connection } = await openConnection();
      server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await clock.tickAsync(5);
      expect(connection.status).to.equal('reconnecting');
      connection.close();
      expect(clock.countTimers()).to.equal(0);
      await clock.tickAsync(60_000);
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
    });

    it('reconnect() drops the socket, resets the backoff and connects now', async () => {
      const { connection, log } = await openConnection();
      connection.reconnect();
      expect(connection.status).to.equal('connecting');
      // The status moves first, so a `close` listener already reads `connecting`.
      expect(types(log).slice(-2)).to.deep.equal(['status-change', 'close']);
      // The old socket's close handshake ends first, so the server never sees two sockets.
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
      await clock.tickAsync(5);
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
      expect(BrowserLikeMockSocket.instances[0]!.readyState).to.equal(3);
      expect(BrowserLikeMockSocket.live()).to.equal(1);
      expect(log.filter((e) => e.type === 'close').at(-1)!.detail).to.include({ code: 1000, reason: 'reconnect', willReconnect: true });
      await clock.tickAsync(10);
      expect(connection.status).to.equal('open');
      expect(connection.retryCount).to.equal(0);
    });

    it('waits for a close handshake that never ends no longer than CLOSE_HANDSHAKE_WAIT', async () => {
      class NeverClosed extends BrowserLikeMockSocket {
        override close(code?: number, reason?: string): void {
          this.closeCalls.push({ code, reason });
          (this as unknown as { readyState: number }).readyState = 2; // CLOSING, forever
        }
      }
      const { connection } = await openConnection({}, { WebSocket: NeverClosed });
      connection.reconnect();
      await clock.tickAsync(CLOSE_HANDSHAKE_WAIT - 1);
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
      await clock.tickAsync(1);
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
      await clock.tickAsync(10);
      expect(connection.status).to.equal('open');
    });

    it('a socket declared dead is waited for no longer than DEAD_SOCKET_CLOSE_WAIT', async () => {
      class NeverClosed extends BrowserLikeMockSocket {
        override close(code?: number, reason?: string): void {
          this.closeCalls.push({ code, reason });
          (this as unknown as { readyState: number }).readyState = 2; // a silent path: CLOSING, forever
        }
      }
      const { log } = await openConnection({}, { WebSocket: NeverClosed });
      await clock.tickAsync(log.find((e) => e.type === 'open')!.at + INTERVAL + TIMEOUT - Date.now());
      const closeAt = log.find((e) => e.type === 'close')!.at;
      const reconnecting = log.filter((e) => e.type === 'status-change' && e.detail.status === 'connecting').at(-1)!;
      await clock.tickAsync(1);
      expect(reconnecting.at - closeAt).to.be.at.most(1);
      await clock.tickAsync(closeAt + DEAD_SOCKET_CLOSE_WAIT - 1 - Date.now());
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
      await clock.tickAsync(1);
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
    });

    it('reconnect() while waiting for a retry connects now, with one socket', async () => {
      const { connection } = await openConnection();
      server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await clock.tickAsync(5);
      connection.reconnect();
      expect(connection.status).to.equal('connecting');
      await clock.tickAsync(1000);
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
      expect(connection.status).to.equal('open');
    });

    it('never has more than one live socket, whatever the calls', async () => {
      const { connection } = create();
      let maxLive = 0;
      const note = () => (maxLive = Math.max(maxLive, BrowserLikeMockSocket.live()));
      connection.start();
      for (let i = 0; i < 50; i++) {
        if (i % 3 === 0) connection.reconnect();
        if (i % 5 === 0) connection.configure({ url: `${URL_}?n=${i}` });
        if (i % 7 === 0) connection.start();
        note();
        await clock.tickAsync(i % 4);
        note();
      }
      await clock.tickAsync(100);
      note();
      expect(maxLive).to.equal(1);
      expect(BrowserLikeMockSocket.live()).to.equal(1);
    });

    it('a listener that calls close() during a loss stops the retry sequence', async () => {
      const { connection, log } = await openConnection();
      connection.addEventListener('status-change', (e) => {
        if (e.detail.status === 'reconnecting') connection.close();
      });
      server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await clock.tickAsync(60_000);
      expect(connection.status).to.equal('closed');
      expect(types(log)).not.to.include('retry');
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
    });

    it('a listener that calls close() on the close event of a loss gets no stale retry event', async () => {
      const { connection, log } = await openConnection();
      connection.addEventListener('close', () => connection.close());
      server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await clock.tickAsync(60_000);
      expect(connection.status).to.equal('closed');
      expect(types(log)).not.to.include('retry');
    });

    it('a listener that calls close() while reconnect() drops the old socket prevents the new one', async () => {
      const { connection } = await openConnection();
      connection.addEventListener('close', () => connection.close());
      connection.reconnect();
      await clock.tickAsync(1000);
      expect(connection.status).to.equal('closed');
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
    });
  });

  describe('clocks', () => {
    it('a wall-clock step backwards neither stalls nor fires the heartbeat', async () => {
      const { log } = await openConnection();
      clock.setSystemTime(Date.now() - 3_600_000); // NTP, or the user setting the clock back
      await clock.tickAsync(INTERVAL + TIMEOUT + 10);
      expect(log.find((e) => e.type === 'close')?.detail.code).to.equal(CloseCode.HeartbeatTimeout);
      expect(log.find((e) => e.type === 'heartbeat')).to.equal(undefined);
    });

    it('a wall-clock step forward before a message does not postpone the heartbeat by the step', async () => {
      const { log } = await openConnection();
      clock.setSystemTime(Date.now() + 3_600_000);
      server.clients()[0]!.send('news'); // arrives with a wall time an hour "later"
      await clock.tickAsync(10);
      const newsAt = log.find((e) => e.type === 'message')!.at;
      await clock.tickAsync(INTERVAL + TIMEOUT + 10);
      const close = log.find((e) => e.type === 'close');
      expect(close?.detail.code).to.equal(CloseCode.HeartbeatTimeout);
      expect(close!.at - newsAt).to.be.at.most(INTERVAL + TIMEOUT + 10);
    });

    it('a wall-clock step forward does not kill a healthy line', async () => {
      const { connection } = await openConnection();
      const client = server.clients()[0]!;
      client.on('message', (data) => data === 'ping' && client.send('pong'));
      clock.setSystemTime(Date.now() + 3_600_000);
      await clock.tickAsync(5 * (INTERVAL + TIMEOUT));
      expect(connection.status).to.equal('open');
    });

    it('repeated reconnect() while the old socket never finishes closing still connects within CLOSE_HANDSHAKE_WAIT', async () => {
      class NeverClosed extends BrowserLikeMockSocket {
        override close(code?: number, reason?: string): void {
          this.closeCalls.push({ code, reason });
          (this as unknown as { readyState: number }).readyState = 2;
        }
      }
      const { connection } = await openConnection({}, { WebSocket: NeverClosed });
      for (let i = 0; i < 5; i++) {
        connection.reconnect();
        await clock.tickAsync(CLOSE_HANDSHAKE_WAIT / 5);
      }
      await clock.tickAsync(10);
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
      expect(connection.status).to.equal('open');
    });
  });

  describe('heartbeat', () => {
    const openedAt = (log: Array<{ type: string; at: number }>) => log.find((e) => e.type === 'open')!.at;
    const sent = () => BrowserLikeMockSocket.instances[0]!.sent;

    it('sends the ping after `interval` ms of inbound silence, not before', async () => {
      const { log } = await openConnection();
      await clock.tickAsync(openedAt(log) + INTERVAL - 1 - Date.now());
      expect(sent()).to.deep.equal([]);
      await clock.tickAsync(1);
      expect(sent()).to.deep.equal([{ data: 'ping', at: openedAt(log) + INTERVAL }]);
      await clock.tickAsync(10);
      expect(received).to.deep.equal(['ping']);
    });

    it('inbound traffic moves the ping on', async () => {
      const { log } = await openConnection();
      await clock.tickAsync(600);
      server.clients()[0]!.send('news');
      await clock.tickAsync(10);
      const newsAt = log.find((e) => e.type === 'message')!.at;
      await clock.tickAsync(newsAt + INTERVAL - 1 - Date.now());
      expect(sent()).to.deep.equal([]);
      await clock.tickAsync(1);
      expect(sent()).to.deep.equal([{ data: 'ping', at: newsAt + INTERVAL }]);
    });

    it('consumes the pong: no message event, a heartbeat event with the latency', async () => {
      const { log, connection } = await openConnection();
      server.on('message', () => undefined);
      const client = server.clients()[0]!;
      client.on('message', (data) => {
        if (data === 'ping') setTimeout(() => client.send('pong'), 40);
      });
      await clock.tickAsync(INTERVAL + 100);
      expect(types(log)).not.to.include('message');
      const heartbeat = log.find((e) => e.type === 'heartbeat')!;
      expect(heartbeat.detail.pong).to.equal(true);
      expect(heartbeat.detail.latency).to.be.within(40, 50);
      expect(connection.status).to.equal('open');
    });

    it('declares the connection dead `timeout` ms after an unanswered ping, and reconnects at once', async () => {
      const { connection, log } = await openConnection();
      await clock.tickAsync(openedAt(log) + INTERVAL + TIMEOUT - 1 - Date.now());
      expect(connection.status).to.equal('open');
      await clock.tickAsync(1);
      expect(connection.status).to.equal('reconnecting');
      const close = log.find((e) => e.type === 'close')!;
      expect(close.at - openedAt(log)).to.equal(INTERVAL + TIMEOUT);
      expect(close.detail.code).to.equal(CloseCode.HeartbeatTimeout);
      expect(close.detail.code).to.be.within(4000, 4999);
      expect(close.detail.reason).to.match(/heartbeat timeout/);
      expect(close.detail.willReconnect).to.equal(true);
      expect(BrowserLikeMockSocket.instances[0]!.closeCalls[0]!.code).to.equal(CloseCode.HeartbeatTimeout);
      expect(log.find((e) => e.type === 'retry')!.detail.delay).to.equal(0);
      await clock.tickAsync(1); // a 0 ms timer set inside a fake-timer tick runs 1 ms later
      expect(connection.status).to.equal('connecting');
      // The new socket follows the old one's close handshake (4 ms in mock-socket), never both.
      await clock.tickAsync(5);
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
      expect(BrowserLikeMockSocket.instances[0]!.readyState).to.equal(3);
    });

    it('does not wait for the dead socket: its late close event is ignored', async () => {
      const { connection, log } = await openConnection();
      const dead = BrowserLikeMockSocket.instances[0]!;
      await clock.tickAsync(INTERVAL + TIMEOUT);
      const closes = log.filter((e) => e.type === 'close').length;
      await clock.tickAsync(20);
      expect(connection.status).to.equal('open');
      dead.dispatchEvent(Object.assign(new Event('close'), { code: 1006, reason: '', wasClean: false }));
      expect(log.filter((e) => e.type === 'close').length).to.equal(closes);
      expect(connection.status).to.equal('open');
    });

    it('any inbound message after the ping proves the line alive', async () => {
      const { connection, log } = await openConnection();
      await clock.tickAsync(INTERVAL + TIMEOUT - 100);
      server.clients()[0]!.send('still here');
      await clock.tickAsync(300);
      expect(connection.status).to.equal('open');
      expect(log.find((e) => e.type === 'heartbeat')!.detail.pong).to.equal(false);
    });

    it('creates and clears no timer per inbound message', async () => {
      const counting = countingClock();
      await openConnection({}, { clock: counting });
      const set = counting.set;
      const cleared = counting.cleared;
      const client = server.clients()[0]!;
      for (let i = 0; i < 200; i++) client.send(`m${i}`);
      await clock.tickAsync(5);
      expect(counting.set).to.equal(set);
      expect(counting.cleared).to.equal(cleared);
    });

    it('interval 0 turns the heartbeat off', async () => {
      const { connection } = await openConnection({ interval: 0 });
      await clock.tickAsync(10 * 60_000);
      expect(received).to.deep.equal([]);
      expect(connection.status).to.equal('open');
    });

    it('timeout 0 keeps pinging every interval but never declares death', async () => {
      const { connection } = await openConnection({ timeout: 0 });
      await clock.tickAsync(5 * INTERVAL);
      expect(received).to.deep.equal(['ping', 'ping', 'ping', 'ping', 'ping']);
      expect(connection.status).to.equal('open');
    });

    it('a new interval takes effect without reconnecting', async () => {
      const { connection } = await openConnection();
      connection.configure({ interval: 200 });
      await clock.tickAsync(200);
      expect(received).to.deep.equal(['ping']);
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
    });

    it('a huge interval does not overflow the timer into a spin', async () => {
      const counting = countingClock();
      await openConnection({ interval: 1e12 }, { clock: counting });
      await clock.tickAsync(60_000);
      expect(received).to.deep.equal([]);
      expect(counting.set).to.be.below(5);
    });

    it('custom ping and pong texts', async () => {
      const { log } = await openConnection({ pingMessage: '{"t":"hb"}', pongMessage: '{"t":"hb-ack"}' });
      const client = server.clients()[0]!;
      client.on('message', (data) => data === '{"t":"hb"}' && client.send('{"t":"hb-ack"}'));
      await clock.tickAsync(INTERVAL + 50);
      expect(received).to.deep.equal(['{"t":"hb"}']);
      expect(types(log)).not.to.include('message');
      expect(types(log)).to.include('heartbeat');
    });
  });

  describe('reconnecting', () => {
    it('a handshake that never completes fails at connectTimeout and is retried', async () => {
      const { connection, log } = create({ connectTimeout: 300 }, { WebSocket: StalledSocket });
      connection.start();
      await clock.tickAsync(299);
      expect(connection.status).to.equal('connecting');
      await clock.tickAsync(1);
      expect(connection.status).to.equal('reconnecting');
      expect(StalledSocket.instances[0]!.closeCalls[0]!.code).to.equal(CloseCode.ConnectTimeout);
      expect(log.find((e) => e.type === 'close')!.detail).to.include({ code: CloseCode.ConnectTimeout, willReconnect: true });
    });

    it('backoff grows exponentially up to the cap, with jitter', async () => {
      server.stop();
      const { connection, log } = create({ reconnectDelay: 100, reconnectMaxDelay: 1000 });
      connection.start();
      await clock.tickAsync(20_000);
      const delays = log.filter((e) => e.type === 'retry').map((e) => e.detail.delay);
      expect(delays.slice(0, 7)).to.deep.equal([75, 150, 300, 600, 750, 750, 750]);
    });

    it('backoff resets once a connection has stayed open long enough to be healthy', async () => {
      const { connection, log } = await openConnection({ healthyAfter: 1000, interval: 0 });
      const lastRetry = () => log.filter((e) => e.type === 'retry').at(-1)!.detail;
      server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await clock.tickAsync(100); // retry after 75 ms, opens, then drops again at once
      server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await clock.tickAsync(5);
      // A short-lived connection does not reset the backoff; it does end the retry streak.
      expect(lastRetry()).to.include({ attempt: 1, delay: 150 });
      await clock.tickAsync(2000);
      expect(connection.status).to.equal('open');
      server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await clock.tickAsync(5);
      expect(lastRetry()).to.include({ attempt: 1, delay: 75 });
    });

    it('every heartbeat death reconnects at once; a hung server is retried once per interval + timeout', async () => {
      // The server accepts and never answers a ping.
      const { log } = await openConnection({ reconnectDelay: 100, reconnectMaxDelay: 1000 });
      await clock.tickAsync(10 * (INTERVAL + TIMEOUT));
      const retries = log.filter((e) => e.type === 'retry');
      expect(retries.map((e) => e.detail.delay)).to.deep.equal(retries.map(() => 0));
      expect(retries.length).to.be.within(8, 10);
      const opens = log.filter((e) => e.type === 'open').map((e) => e.at);
      for (let i = 1; i < opens.length; i++) expect(opens[i]! - opens[i - 1]!).to.be.at.least(INTERVAL + TIMEOUT);
    });

    it('a server that accepts and drops at once keeps backing off, though every attempt opens', async () => {
      server.on('connection', (socket) => setTimeout(() => socket.close({ code: 1011, reason: 'no', wasClean: true }), 1));
      const { connection, log } = create({ interval: 0, maxRetries: 1, reconnectMaxDelay: 1000 });
      connection.start();
      await clock.tickAsync(5000);
      const retries = log.filter((e) => e.type === 'retry').map((e) => e.detail);
      expect(retries.slice(0, 5).map((r) => r.delay)).to.deep.equal([75, 150, 300, 600, 750]);
      // Each retry opened, so none was a failed attempt: maxRetries 1 is never exhausted.
      expect(retries.every((r) => r.attempt === 1)).to.equal(true);
      expect(connection.status).not.to.equal('failed');
    });

    it('maxRetries counts consecutive failed attempts: a retry that opens starts the count again', async () => {
      const { connection, log } = await openConnection({ maxRetries: 1, interval: 0 });
      server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await clock.tickAsync(200);
      expect(connection.status).to.equal('open');
      server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await clock.tickAsync(400);
      expect(connection.status).to.equal('open');
      expect(log.filter((e) => e.type === 'error')).to.deep.equal([]);
    });

    it('gives up after maxRetries: failed, close without reconnect, and an error', async () => {
      server.stop();
      const { connection, log } = create({ maxRetries: 2 });
      connection.start();
      await clock.tickAsync(60_000);
      expect(connection.status).to.equal('failed');
      expect(BrowserLikeMockSocket.instances).to.have.length(3);
      expect(log.filter((e) => e.type === 'retry')).to.have.length(2);
      expect(log.filter((e) => e.type === 'close').at(-1)!.detail.willReconnect).to.equal(false);
      expect(log.filter((e) => e.type === 'error').at(-1)!.detail.code).to.equal('retries-exhausted');
      expect(clock.countTimers()).to.equal(0);
    });

    it('maxRetries 0 gives up at the first loss', async () => {
      const { connection } = await openConnection({ maxRetries: 0 });
      server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await clock.tickAsync(10_000);
      expect(connection.status).to.equal('failed');
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
    });

    it('reconnect() after failed starts again', async () => {
      server.stop();
      const { connection } = create({ maxRetries: 0 });
      connection.start();
      await clock.tickAsync(100);
      expect(connection.status).to.equal('failed');
      server = new Server(URL_, { mock: false });
      connection.reconnect();
      await clock.tickAsync(10);
      expect(connection.status).to.equal('open');
    });

    it('a new url switches over at once, with one socket', async () => {
      const other = new Server(`${URL_}2`, { mock: false });
      const { connection } = await openConnection();
      connection.configure({ url: `${URL_}2` });
      expect(connection.status).to.equal('connecting');
      expect(BrowserLikeMockSocket.live()).to.equal(0);
      await clock.tickAsync(20);
      expect(BrowserLikeMockSocket.live()).to.equal(1);
      expect(connection.status).to.equal('open');
      expect(connection.url).to.equal(`${URL_}2`);
      expect(server.clients()).to.have.length(0);
      other.stop();
    });

    it('clearing the url ends the connection: idle', async () => {
      const { connection } = await openConnection();
      connection.configure({ url: '' });
      expect(connection.status).to.equal('idle');
      expect(BrowserLikeMockSocket.live()).to.equal(0);
      expect(clock.countTimers()).to.be.at.most(1);
    });
  });

  describe('send queue', () => {
    it('queues while not open and flushes in order on open, before sends made in `open` listeners', async () => {
      const { connection } = create();
      expect(connection.send('a')).to.equal(true);
      connection.start();
      expect(connection.send('b')).to.equal(true);
      connection.addEventListener('open', () => connection.send('c'));
      connection.addEventListener('status-change', (e) => e.detail.status === 'open' && connection.send('b2'));
      expect(connection.queuedCount).to.equal(2);
      await clock.tickAsync(20);
      expect(received).to.deep.equal(['a', 'b', 'b2', 'c']);
      expect(connection.queuedCount).to.equal(0);
    });

    it('delivers messages queued across a reconnect exactly once, in order', async () => {
      const { connection } = await openConnection();
      server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await clock.tickAsync(5);
      for (let i = 0; i < 5; i++) connection.send(`q${i}`);
      await clock.tickAsync(200);
      expect(connection.status).to.equal('open');
      expect(received).to.deep.equal(['q0', 'q1', 'q2', 'q3', 'q4']);
    });

    it('is bounded: a full queue refuses with false and an error event', async () => {
      const { connection, log } = create({ queueLimit: 2 });
      expect(connection.send('1')).to.equal(true);
      expect(connection.send('2')).to.equal(true);
      expect(connection.send('3')).to.equal(false);
      const error = log.find((e) => e.type === 'error')!;
      expect(error.detail.code).to.equal('queue-full');
      expect(error.detail.data).to.equal('3');
      connection.start();
      await clock.tickAsync(20);
      expect(received).to.deep.equal(['1', '2']);
    });

    it('refuses sends while closed or failed, and keeps the queue for a later reconnect()', async () => {
      const { connection, log } = create();
      connection.send('kept');
      connection.close();
      expect(connection.send('late')).to.equal(false);
      expect(log.filter((e) => e.type === 'error').at(-1)!.detail.code).to.equal('not-connected');
      connection.reconnect();
      await clock.tickAsync(20);
      expect(received).to.deep.equal(['kept']);
    });

    it('refuses data a socket cannot send', async () => {
      const { connection, log } = await openConnection();
      expect(connection.send({ a: 1 })).to.equal(false);
      expect(connection.send(undefined)).to.equal(false);
      expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-data', 'invalid-data']);
      expect(connection.send(new Uint8Array([1, 2]))).to.equal(true);
    });
  });

  describe('json format', () => {
    it('stringifies outbound values and parses inbound text', async () => {
      const { connection, log } = await openConnection({ format: 'json' });
      expect(connection.send({ hello: [1, 2] })).to.equal(true);
      expect(connection.send('raw text')).to.equal(true);
      server.clients()[0]!.send('{"n":42}');
      await clock.tickAsync(10);
      expect(received).to.deep.equal(['{"hello":[1,2]}', 'raw text']);
      expect(log.find((e) => e.type === 'message')!.detail).to.deep.equal({ data: { n: 42 } });
    });

    it('bad JSON gives an error event and the connection stays up', async () => {
      const { connection, log } = await openConnection({ format: 'json' });
      server.clients()[0]!.send('{nope');
      server.clients()[0]!.send('[1]');
      await clock.tickAsync(10);
      const error = log.find((e) => e.type === 'error')!;
      expect(error.detail.code).to.equal('invalid-json');
      expect(error.detail.data).to.equal('{nope');
      expect(log.filter((e) => e.type === 'message').map((e) => e.detail.data)).to.deep.equal([[1]]);
      expect(connection.status).to.equal('open');
    });

    it('refuses values JSON cannot express', async () => {
      const { connection, log } = await openConnection({ format: 'json' });
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect(connection.send(circular)).to.equal(false);
      expect(connection.send(() => 1)).to.equal(false);
      expect(connection.send(10n)).to.equal(false);
      expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-data', 'invalid-data', 'invalid-data']);
      expect(received).to.deep.equal([]);
    });

    it('the pong is consumed before parsing', async () => {
      const { log } = await openConnection({ format: 'json' });
      server.clients()[0]!.send('pong');
      await clock.tickAsync(10);
      expect(log.filter((e) => e.type === 'error' || e.type === 'message')).to.deep.equal([]);
    });
  });

  describe('bad input', () => {
    for (const url of ['ftp://example.com/x', 'not a url at all', '   ', 'javascript:alert(1)']) {
      it(`url ${JSON.stringify(url)}: error event, failed, no retry loop`, async () => {
        const { connection, log } = create({ url }, { baseURI: () => undefined });
        connection.start();
        await clock.tickAsync(60_000);
        expect(connection.status).to.equal('failed');
        expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-url']);
        expect(BrowserLikeMockSocket.instances).to.have.length(0);
        expect(clock.countTimers()).to.equal(0);
      });
    }

    it('maps http(s) to ws(s) and resolves relative urls against the base', async () => {
      const seen: string[] = [];
      class Recorder extends StalledSocket {
        constructor(url: string) {
          super(url);
          seen.push(url);
        }
      }
      const make = (url: string, base?: string) => {
        const c = new HeartbeatConnection({ url, connectTimeout: 0 }, { WebSocket: Recorder as unknown as WebSocketConstructor, baseURI: () => base });
        c.start();
        c.close();
      };
      make('http://a.test/x');
      make('https://a.test/y#frag');
      make('/socket?q=1', 'https://site.test/app/page.html');
      make('live', 'http://site.test/app/');
      make('wss://b.test');
      expect(seen).to.deep.equal(['ws://a.test/x', 'wss://a.test/y', 'wss://site.test/socket?q=1', 'ws://site.test/app/live', 'wss://b.test/']);
    });

    it('an invalid subprotocol list is an error and failed, not an exception', async () => {
      const { connection, log } = create({ protocols: 'a b, c' }, { WebSocket: globalThis.WebSocket });
      expect(() => connection.start()).not.to.throw();
      expect(connection.status).to.equal('failed');
      expect(log.find((e) => e.type === 'error')!.detail.code).to.equal('invalid-url');
    });

    for (const [name, value] of [
      ['interval', -1],
      ['timeout', NaN],
      ['reconnectDelay', 'soon'],
      ['connectTimeout', Infinity],
      ['maxRetries', 1.5],
      ['queueLimit', -3],
      ['format', 'xml'],
    ] as const) {
      it(`${name} = ${String(value)}: error event, default used`, async () => {
        const { connection, log } = create({ [name]: value } as HeartbeatOptions);
        await Promise.resolve();
        expect(log.map((e) => e.detail.code)).to.deep.equal(['invalid-option']);
        expect(log[0]!.detail.message).to.contain(name);
        const defaults: Record<string, unknown> = { interval: 25_000, timeout: 10_000, reconnectDelay: 1000, connectTimeout: 10_000, maxRetries: Infinity, queueLimit: 1000, format: 'text' };
        expect(connection.options[name]).to.equal(defaults[name]);
      });
    }

    it('close() with a forbidden code or an overlong reason still closes, with an error event', async () => {
      const { connection, log } = await openConnection();
      expect(() => connection.close(1001, 'x'.repeat(200))).not.to.throw();
      expect(connection.status).to.equal('closed');
      expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-close', 'invalid-close']);
      expect(BrowserLikeMockSocket.instances[0]!.closeCalls).to.deep.equal([{ code: 1000, reason: '' }]);
    });
  });

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
      const { connection } = await openConnection({ reconnectDelay: 10_000 }, pageEnv());
      server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await clock.tickAsync(5);
      fire(win, 'online');
      await clock.tickAsync(10);
      expect(connection.status).to.equal('open');
      expect(BrowserLikeMockSocket.live()).to.equal(1);
    });

    it('offline probes an open socket at once; with no answer it is dead within `timeout`', async () => {
      const { connection, log } = await openConnection({}, pageEnv());
      await clock.tickAsync(100);
      online = false;
      fire(win, 'offline');
      expect(sent()).to.deep.equal(['ping']);
      const probedAt = Date.now();
      await clock.tickAsync(TIMEOUT);
      const close = log.find((e) => e.type === 'close')!;
      expect(close.at - probedAt).to.equal(TIMEOUT);
      expect(close.detail.code).to.equal(CloseCode.HeartbeatTimeout);
      expect(connection.waitingFor).to.equal('network');
    });

    it('back to visible (or resumed) after `interval` of quiet: probes at once', async () => {
      const { connection } = await openConnection({ interval: 10_000, timeout: 500 }, pageEnv());
      await clock.tickAsync(3000);
      doc.visibilityState = 'visible';
      fire(doc, 'visibilitychange');
      expect(sent()).to.deep.equal([]); // quiet for less than the interval: nothing to check
      clock.setSystemTime(Date.now() + 60_000); // asleep for a minute: no timer ran
      fire(doc, 'resume');
      expect(sent()).to.deep.equal(['ping']);
      await clock.tickAsync(500);
      expect(connection.status).to.equal('reconnecting');
    });

    it('a hidden document does not probe', async () => {
      await openConnection({ interval: 10_000 }, pageEnv());
      clock.setSystemTime(Date.now() + 60_000);
      doc.visibilityState = 'hidden';
      fire(doc, 'visibilitychange');
      expect(sent()).to.deep.equal([]);
    });

    it('a deadline timer that fires long after it was due (a wake-up) gives one fresh probe, not a false death', async () => {
      const { connection, log } = await openConnection();
      const client = server.clients()[0]!;
      await clock.tickAsync(INTERVAL); // ping sent, no pong yet
      expect(sent()).to.deep.equal(['ping']);
      clock.setSystemTime(Date.now() + 5 * 60_000); // the machine slept past the deadline
      await clock.tickAsync(TIMEOUT);
      expect(connection.status).to.equal('open');
      expect(sent()).to.deep.equal(['ping', 'ping']);
      client.send('pong');
      await clock.tickAsync(TIMEOUT + 10);
      expect(connection.status).to.equal('open');
      expect(log.filter((e) => e.type === 'close')).to.deep.equal([]);
    });

    it('after a wake-up, a dead line is found within `timeout` of the probe', async () => {
      const { connection, log } = await openConnection();
      await clock.tickAsync(INTERVAL);
      clock.setSystemTime(Date.now() + 5 * 60_000);
      await clock.tickAsync(TIMEOUT); // late timer: the probe
      expect(connection.status).to.equal('open');
      const probe = BrowserLikeMockSocket.instances[0]!.sent[1]!;
      expect(probe.data).to.equal('ping');
      await clock.tickAsync(TIMEOUT);
      const close = log.find((e) => e.type === 'close')!;
      expect(close.detail.code).to.equal(CloseCode.HeartbeatTimeout);
      expect(close.at - probe.at).to.equal(TIMEOUT);
      await clock.tickAsync(10);
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
    });

    it('the wake-up probe is given once: if its own deadline also fires late, the line is dead', async () => {
      // A page whose timers always run late (a throttled hidden tab) must still find a dead line.
      const { log } = await openConnection();
      await clock.tickAsync(INTERVAL);
      clock.setSystemTime(Date.now() + 60_000);
      await clock.tickAsync(TIMEOUT); // the probe
      clock.setSystemTime(Date.now() + 60_000);
      await clock.tickAsync(TIMEOUT);
      expect(log.filter((e) => e.type === 'close').map((e) => e.detail.code)).to.deep.equal([CloseCode.HeartbeatTimeout]);
      expect(BrowserLikeMockSocket.instances[0]!.sent.map((m) => m.data)).to.deep.equal(['ping', 'ping']);
    });

    it('pagehide closes the socket with 1000 at once; pageshow from the cache reconnects', async () => {
      const { connection, log } = await openConnection({}, pageEnv());
      fire(win, 'pagehide', { persisted: true });
      expect(connection.status).to.equal('reconnecting');
      expect(connection.waitingFor).to.equal('page');
      expect(BrowserLikeMockSocket.instances[0]!.closeCalls).to.deep.equal([{ code: 1000, reason: 'page hidden' }]);
      expect(log.filter((e) => e.type === 'close').at(-1)!.detail).to.include({ code: 1000, willReconnect: true });
      await clock.tickAsync(10);
      expect(clock.countTimers()).to.equal(0);
      fire(win, 'online'); // the page is away: the network coming back must not reconnect it
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
      fire(win, 'pageshow', { persisted: true });
      await clock.tickAsync(10);
      expect(connection.status).to.equal('open');
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
    });

    it('listens to the page only while active', async () => {
      const { connection } = await openConnection({}, pageEnv());
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

  describe('url provider', () => {
    it('is asked before every attempt, may be async, and may set subprotocols', async () => {
      const calls: number[] = [];
      let token = 0;
      const { connection } = create({
        url: '',
        urlProvider: async ({ attempt }) => {
          calls.push(attempt);
          await new Promise((r) => setTimeout(r, 20));
          return { url: `${URL_}?token=${++token}`, protocols: ['v1'] };
        },
      });
      const tokens: string[] = [];
      server.on('connection', (socket) => tokens.push(new URL(socket.url).searchParams.get('token')!));
      connection.start();
      expect(connection.status).to.equal('connecting');
      await clock.tickAsync(40);
      expect(connection.status).to.equal('open');
      server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await clock.tickAsync(200);
      expect(connection.status).to.equal('open');
      expect(calls).to.deep.equal([0, 1]);
      expect(connection.url).to.contain('token=2');
      expect(BrowserLikeMockSocket.instances.map((s) => s.url)).to.deep.equal([`${URL_}?token=1`, `${URL_}?token=2`]);
    });

    it('a failing provider is an error event and a failed attempt, retried with backoff', async () => {
      let fail = true;
      const { connection, log } = create({
        urlProvider: () => {
          if (fail) throw new Error('token service down');
          return URL_;
        },
      });
      connection.start();
      expect(connection.status).to.equal('connecting'); // the provider is asked a microtask later
      await clock.tickAsync(0);
      expect(connection.status).to.equal('reconnecting');
      const error = log.find((e) => e.type === 'error')!;
      expect(error.detail.code).to.equal('url-provider-failed');
      expect(error.detail.message).to.contain('token service down');
      expect(log.find((e) => e.type === 'retry')!.detail.attempt).to.equal(1);
      fail = false;
      await clock.tickAsync(200);
      expect(connection.status).to.equal('open');
    });

    it('a rejected promise counts the same; maxRetries applies', async () => {
      const { connection, log } = create({ maxRetries: 1, urlProvider: () => Promise.reject(new Error('401')) });
      connection.start();
      await clock.tickAsync(10_000);
      expect(connection.status).to.equal('failed');
      expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['url-provider-failed', 'url-provider-failed', 'retries-exhausted']);
    });

    it('a provider that hangs is cut by connectTimeout: the same error as a rejection, no close (no socket existed)', async () => {
      const { connection, log } = create({ connectTimeout: 300, urlProvider: () => new Promise<string>(() => undefined) });
      connection.start();
      await clock.tickAsync(300);
      expect(connection.status).to.equal('reconnecting');
      expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['url-provider-failed']);
      expect(types(log)).not.to.include('close');
    });

    it('a result that is not a url is a failed attempt, never an exception thrown into the page', async () => {
      const { connection, log } = create({ connectTimeout: 0, urlProvider: () => Object.create(null) as string });
      connection.start();
      await clock.tickAsync(0);
      expect(connection.status).to.equal('reconnecting');
      expect(log.find((e) => e.type === 'error')!.detail.code).to.equal('url-provider-failed');
    });

    it('reconnect() during a handshake with a throwing provider: close (willReconnect) comes before the retry', async () => {
      let calls = 0;
      const { connection, log } = create({
        connectTimeout: 0,
        urlProvider: () => {
          if (++calls > 1) throw new Error('x');
          return URL_;
        },
      }, { WebSocket: StalledSocket });
      connection.start();
      await clock.tickAsync(10);
      connection.reconnect();
      await clock.tickAsync(0);
      const after = log.slice(log.findIndex((e) => e.type === 'close'));
      expect(after.map((e) => e.type)).to.deep.equal(['close', 'error', 'status-change', 'retry']);
      expect(after[0]!.detail).to.include({ willReconnect: true, wasClean: false });
    });

    it('a result that arrives after close() opens nothing', async () => {
      const { connection } = create({
        urlProvider: () => new Promise<string>((resolve) => setTimeout(() => resolve(URL_), 50)),
      });
      connection.start();
      connection.close();
      await clock.tickAsync(1000);
      expect(BrowserLikeMockSocket.instances).to.have.length(0);
      expect(connection.status).to.equal('closed');
    });
  });
});
