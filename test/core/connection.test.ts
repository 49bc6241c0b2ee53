import { expect } from '@open-wc/testing';
import { CLOSE_HANDSHAKE_WAIT, DEAD_SOCKET_CLOSE_WAIT, HeartbeatConnection, type WebSocketConstructor } from '../../src/core/index.js';
import { BrowserLikeMockSocket, StalledSocket } from '../helpers/mock.js';
import { MOCK_URL, statuses, types, useMockConnection } from '../helpers/connection.js';

const INTERVAL = 1000;
const TIMEOUT = 500;

describe('HeartbeatConnection: the state machine (core, mock-socket, fake timers)', () => {
  const h = useMockConnection({ interval: INTERVAL, timeout: TIMEOUT, reconnectDelay: 100, reconnectMaxDelay: 2000 });

  describe('state machine', () => {
    it('starts idle and does nothing until start()', async () => {
      const { connection, log } = h.create();
      await h.clock.tickAsync(5000);
      expect(connection.status).to.equal('idle');
      expect(BrowserLikeMockSocket.instances).to.have.length(0);
      expect(log).to.deep.equal([]);
    });

    it('start() without a url stays idle, with an error event', async () => {
      const { connection, log } = h.create({ url: '' });
      connection.start();
      expect(connection.status).to.equal('idle');
      expect(log.map((e) => e.detail.code)).to.deep.equal(['invalid-url']);
      expect(BrowserLikeMockSocket.instances).to.have.length(0);
    });

    it('goes idle → connecting → open, announcing status before open', async () => {
      const { log } = await h.openConnection();
      expect(types(log)).to.deep.equal(['status-change', 'status-change', 'open']);
      expect(log[0]!.detail).to.deep.equal({ status: 'connecting', previous: 'idle' });
      expect(log[1]!.detail).to.deep.equal({ status: 'open', previous: 'connecting' });
      expect(log[2]!.detail).to.deep.equal({ url: MOCK_URL });
    });

    it('events do not bubble and are CustomEvents', async () => {
      const { connection } = h.create();
      const seen: Event[] = [];
      connection.addEventListener('status-change', (e) => seen.push(e));
      connection.start();
      expect(seen[0]).to.be.instanceOf(CustomEvent);
      expect(seen[0]!.bubbles).to.equal(false);
    });

    it('a server close with 1000 ends in closed, with no retry', async () => {
      const { connection, log } = await h.openConnection();
      h.server.clients()[0]!.close({ code: 1000, reason: 'bye', wasClean: true });
      await h.clock.tickAsync(60_000);
      expect(connection.status).to.equal('closed');
      const close = log.find((e) => e.type === 'close')!;
      expect(close.detail).to.include({ code: 1000, reason: 'bye', willReconnect: false });
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
      expect(h.clock.countTimers()).to.equal(0);
    });

    for (const code of [1001, 1006, 1011, 4321]) {
      it(`a server close with ${code} leads to a retry with backoff`, async () => {
        const { connection, log } = await h.openConnection();
        h.server.clients()[0]!.close({ code, reason: 'x', wasClean: code !== 1006 });
        await h.clock.tickAsync(5);
        expect(connection.status).to.equal('reconnecting');
        expect(statuses(log).slice(-1)).to.deep.equal(['reconnecting']);
        const close = log.find((e) => e.type === 'close')!;
        expect(close.detail).to.include({ code, willReconnect: true });
        const retry = log.find((e) => e.type === 'retry')!;
        // random 0.5 with equal jitter: 3/4 of the base delay.
        expect(retry.detail).to.deep.equal({ attempt: 1, delay: 75, maxRetries: Infinity });
        await h.clock.tickAsync(retry.at + 74 - Date.now());
        expect(BrowserLikeMockSocket.instances).to.have.length(1);
        await h.clock.tickAsync(1);
        expect(connection.status).to.equal('connecting');
        expect(BrowserLikeMockSocket.instances).to.have.length(2);
        await h.clock.tickAsync(10);
        expect(connection.status).to.equal('open');
      });
    }

    it('close() ends in closed, clears every timer, and never retries', async () => {
      const { connection, log } = await h.openConnection();
      connection.close(4100, 'done');
      expect(connection.status).to.equal('closed');
      expect(h.clock.countTimers()).to.be.at.most(1); // only mock-socket's own close delivery
      await h.clock.tickAsync(60_000);
      expect(h.clock.countTimers()).to.equal(0);
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
      expect(BrowserLikeMockSocket.instances[0]!.closeCalls).to.deep.equal([{ code: 4100, reason: 'done' }]);
      expect(log.find((e) => e.type === 'close')!.detail).to.deep.equal({ code: 4100, reason: 'done', wasClean: true, willReconnect: false });
    });

    it('close() while connecting ends the handshake and stays closed', async () => {
      const { connection } = h.create();
      connection.start();
      connection.close();
      await h.clock.tickAsync(60_000);
      expect(connection.status).to.equal('closed');
      expect(BrowserLikeMockSocket.live()).to.equal(0);
      expect(h.server.clients()).to.have.length(0);
      expect(h.clock.countTimers()).to.equal(0);
    });

    it('close() while waiting for a retry cancels the retry', async () => {
      const { connection } = await h.openConnection();
      h.server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await h.clock.tickAsync(5);
      expect(connection.status).to.equal('reconnecting');
      connection.close();
      expect(h.clock.countTimers()).to.equal(0);
      await h.clock.tickAsync(60_000);
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
    });

    it('reconnect() drops the socket, resets the backoff and connects now', async () => {
      const { connection, log } = await h.openConnection();
      connection.reconnect();
      expect(connection.status).to.equal('connecting');
      // The status moves first, so a `close` listener already reads `connecting`.
      expect(types(log).slice(-2)).to.deep.equal(['status-change', 'close']);
      // The old socket's close handshake ends first, so the server never sees two sockets.
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
      await h.clock.tickAsync(5);
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
      expect(BrowserLikeMockSocket.instances[0]!.readyState).to.equal(3);
      expect(BrowserLikeMockSocket.live()).to.equal(1);
      expect(log.filter((e) => e.type === 'close').at(-1)!.detail).to.include({ code: 1000, reason: 'reconnect', willReconnect: true });
      await h.clock.tickAsync(10);
      expect(connection.status).to.equal('open');
      expect(connection.retryCount).to.equal(0);
    });

    it('a handshake abandoned by a url change ends before the next attempt starts (bounded by CLOSE_HANDSHAKE_WAIT)', async () => {
      // The server may have accepted the abandoned handshake already; a new socket opened before the
      // browser dropped it was seen at the server as a second one (churn test, Chromium).
      const { connection } = h.create({ url: MOCK_URL }, { WebSocket: StalledSocket });
      connection.start();
      await h.clock.tickAsync(10);
      expect(StalledSocket.instances).to.have.length(1);
      connection.configure({ url: `${MOCK_URL}?next` });
      expect(connection.status).to.equal('connecting');
      expect(StalledSocket.instances, 'a new socket while the old one is still CLOSING').to.have.length(1);
      await h.clock.tickAsync(0); // the abandoned socket reports its end (1006) a task later
      expect(StalledSocket.instances).to.have.length(2);
      expect(StalledSocket.instances[0]!.readyState).to.equal(3);

      // A handshake whose end is never reported holds the next attempt no longer than the wait.
      class NeverEnds extends StalledSocket {
        override close(code?: number, reason?: string): void {
          this.closeCalls.push({ code, reason });
          this.readyState = 2;
        }
      }
      StalledSocket.instances = [];
      const second = h.create({ url: MOCK_URL }, { WebSocket: NeverEnds });
      second.connection.start();
      second.connection.reconnect();
      await h.clock.tickAsync(CLOSE_HANDSHAKE_WAIT - 1);
      expect(StalledSocket.instances).to.have.length(1);
      await h.clock.tickAsync(1);
      expect(StalledSocket.instances).to.have.length(2);
      second.connection.close();
      connection.close();
    });

    it('waits for a close handshake that never ends no longer than CLOSE_HANDSHAKE_WAIT', async () => {
      class NeverClosed extends BrowserLikeMockSocket {
        override close(code?: number, reason?: string): void {
          this.closeCalls.push({ code, reason });
          (this as unknown as { readyState: number }).readyState = 2; // CLOSING, forever
        }
      }
      const { connection } = await h.openConnection({}, { WebSocket: NeverClosed });
      connection.reconnect();
      await h.clock.tickAsync(CLOSE_HANDSHAKE_WAIT - 1);
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
      await h.clock.tickAsync(1);
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
      await h.clock.tickAsync(10);
      expect(connection.status).to.equal('open');
    });

    it('a socket declared dead is waited for no longer than DEAD_SOCKET_CLOSE_WAIT', async () => {
      class NeverClosed extends BrowserLikeMockSocket {
        override close(code?: number, reason?: string): void {
          this.closeCalls.push({ code, reason });
          (this as unknown as { readyState: number }).readyState = 2; // a silent path: CLOSING, forever
        }
      }
      const { log } = await h.openConnection({}, { WebSocket: NeverClosed });
      await h.clock.tickAsync(log.find((e) => e.type === 'open')!.at + INTERVAL + TIMEOUT - Date.now());
      const closeAt = log.find((e) => e.type === 'close')!.at;
      const reconnecting = log.filter((e) => e.type === 'status-change' && e.detail.status === 'connecting').at(-1)!;
      await h.clock.tickAsync(1);
      expect(reconnecting.at - closeAt).to.be.at.most(1);
      await h.clock.tickAsync(closeAt + DEAD_SOCKET_CLOSE_WAIT - 1 - Date.now());
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
      await h.clock.tickAsync(1);
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
    });

    it('reconnect() while waiting for a retry connects now, with one socket', async () => {
      const { connection } = await h.openConnection();
      h.server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await h.clock.tickAsync(5);
      connection.reconnect();
      expect(connection.status).to.equal('connecting');
      await h.clock.tickAsync(1000);
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
      expect(connection.status).to.equal('open');
    });

    it('never has more than one live socket, whatever the calls', async () => {
      const { connection } = h.create();
      let maxLive = 0;
      const note = () => (maxLive = Math.max(maxLive, BrowserLikeMockSocket.live()));
      connection.start();
      for (let i = 0; i < 50; i++) {
        if (i % 3 === 0) connection.reconnect();
        if (i % 5 === 0) connection.configure({ url: `${MOCK_URL}?n=${i}` });
        if (i % 7 === 0) connection.start();
        note();
        await h.clock.tickAsync(i % 4);
        note();
      }
      await h.clock.tickAsync(100);
      note();
      expect(maxLive).to.equal(1);
      expect(BrowserLikeMockSocket.live()).to.equal(1);
    });

    it('a listener that calls close() during a loss stops the retry sequence', async () => {
      const { connection, log } = await h.openConnection();
      connection.addEventListener('status-change', (e) => {
        if (e.detail.status === 'reconnecting') connection.close();
      });
      h.server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await h.clock.tickAsync(60_000);
      expect(connection.status).to.equal('closed');
      expect(types(log)).not.to.include('retry');
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
    });

    it('a listener that calls close() on the close event of a loss gets no stale retry event', async () => {
      const { connection, log } = await h.openConnection();
      connection.addEventListener('close', () => connection.close());
      h.server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await h.clock.tickAsync(60_000);
      expect(connection.status).to.equal('closed');
      expect(types(log)).not.to.include('retry');
    });

    it('a listener that calls close() while reconnect() drops the old socket prevents the new one', async () => {
      const { connection } = await h.openConnection();
      connection.addEventListener('close', () => connection.close());
      connection.reconnect();
      await h.clock.tickAsync(1000);
      expect(connection.status).to.equal('closed');
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
    });

    it('repeated reconnect() while the old socket never finishes closing still connects within CLOSE_HANDSHAKE_WAIT', async () => {
      class NeverClosed extends BrowserLikeMockSocket {
        override close(code?: number, reason?: string): void {
          this.closeCalls.push({ code, reason });
          (this as unknown as { readyState: number }).readyState = 2;
        }
      }
      const { connection } = await h.openConnection({}, { WebSocket: NeverClosed });
      for (let i = 0; i < 5; i++) {
        connection.reconnect();
        await h.clock.tickAsync(CLOSE_HANDSHAKE_WAIT / 5);
      }
      await h.clock.tickAsync(10);
      expect(BrowserLikeMockSocket.instances).to.have.length(2);
      expect(connection.status).to.equal('open');
    });
  });

  describe('send queue', () => {
    it('queues while not open and flushes in order on open, before sends made in `open` listeners', async () => {
      const { connection } = h.create();
      expect(connection.send('a')).to.equal(true);
      connection.start();
      expect(connection.send('b')).to.equal(true);
      connection.addEventListener('open', () => connection.send('c'));
      connection.addEventListener('status-change', (e) => e.detail.status === 'open' && connection.send('b2'));
      expect(connection.queuedCount).to.equal(2);
      await h.clock.tickAsync(20);
      expect(h.received).to.deep.equal(['a', 'b', 'b2', 'c']);
      expect(connection.queuedCount).to.equal(0);
    });

    it('delivers messages queued across a reconnect exactly once, in order', async () => {
      const { connection } = await h.openConnection();
      h.server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await h.clock.tickAsync(5);
      for (let i = 0; i < 5; i++) connection.send(`q${i}`);
      await h.clock.tickAsync(200);
      expect(connection.status).to.equal('open');
      expect(h.received).to.deep.equal(['q0', 'q1', 'q2', 'q3', 'q4']);
    });

    it('is bounded: a full queue refuses with false and an error event', async () => {
      const { connection, log } = h.create({ queueLimit: 2 });
      expect(connection.send('1')).to.equal(true);
      expect(connection.send('2')).to.equal(true);
      expect(connection.send('3')).to.equal(false);
      const error = log.find((e) => e.type === 'error')!;
      expect(error.detail.code).to.equal('queue-full');
      expect(error.detail.data).to.equal('3');
      connection.start();
      await h.clock.tickAsync(20);
      expect(h.received).to.deep.equal(['1', '2']);
    });

    it('refuses sends while closed or failed, and keeps the queue for a later reconnect()', async () => {
      const { connection, log } = h.create();
      connection.send('kept');
      connection.close();
      expect(connection.send('late')).to.equal(false);
      expect(log.filter((e) => e.type === 'error').at(-1)!.detail.code).to.equal('not-connected');
      connection.reconnect();
      await h.clock.tickAsync(20);
      expect(h.received).to.deep.equal(['kept']);
    });

    it('refuses data a socket cannot send', async () => {
      const { connection, log } = await h.openConnection();
      expect(connection.send({ a: 1 })).to.equal(false);
      expect(connection.send(undefined)).to.equal(false);
      expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-data', 'invalid-data']);
      expect(connection.send(new Uint8Array([1, 2]))).to.equal(true);
    });
  });

  describe('bad input', () => {
    for (const url of ['ftp://example.com/x', 'not a url at all', '   ', 'javascript:alert(1)']) {
      it(`url ${JSON.stringify(url)}: error event, failed, no retry loop`, async () => {
        const { connection, log } = h.create({ url }, { baseURI: () => undefined });
        connection.start();
        await h.clock.tickAsync(60_000);
        expect(connection.status).to.equal('failed');
        expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-url']);
        expect(BrowserLikeMockSocket.instances).to.have.length(0);
        expect(h.clock.countTimers()).to.equal(0);
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
      const { connection, log } = h.create({ protocols: 'a b, c' }, { WebSocket: globalThis.WebSocket });
      expect(() => connection.start()).not.to.throw();
      expect(connection.status).to.equal('failed');
      expect(log.find((e) => e.type === 'error')!.detail.code).to.equal('invalid-url');
    });

    it('close() with a forbidden code or an overlong reason still closes, with an error event', async () => {
      const { connection, log } = await h.openConnection();
      expect(() => connection.close(1001, 'x'.repeat(200))).not.to.throw();
      expect(connection.status).to.equal('closed');
      expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-close', 'invalid-close']);
      expect(BrowserLikeMockSocket.instances[0]!.closeCalls).to.deep.equal([{ code: 1000, reason: '' }]);
    });
  });

  describe('url provider', () => {
    it('is asked before every attempt, may be async, and may set subprotocols', async () => {
      const calls: number[] = [];
      let token = 0;
      const { connection } = h.create({
        url: '',
        urlProvider: async ({ attempt }) => {
          calls.push(attempt);
          await new Promise((r) => setTimeout(r, 20));
          return { url: `${MOCK_URL}?token=${++token}`, protocols: ['v1'] };
        },
      });
      const tokens: string[] = [];
      h.server.on('connection', (socket) => tokens.push(new URL(socket.url).searchParams.get('token')!));
      connection.start();
      expect(connection.status).to.equal('connecting');
      await h.clock.tickAsync(40);
      expect(connection.status).to.equal('open');
      h.server.clients()[0]!.close({ code: 1011, reason: '', wasClean: true });
      await h.clock.tickAsync(200);
      expect(connection.status).to.equal('open');
      expect(calls).to.deep.equal([0, 1]);
      expect(connection.url).to.contain('token=2');
      expect(BrowserLikeMockSocket.instances.map((s) => s.url)).to.deep.equal([`${MOCK_URL}?token=1`, `${MOCK_URL}?token=2`]);
    });

    it('a failing provider is an error event and a failed attempt, retried with backoff', async () => {
      let fail = true;
      const { connection, log } = h.create({
        urlProvider: () => {
          if (fail) throw new Error('token service down');
          return MOCK_URL;
        },
      });
      connection.start();
      expect(connection.status).to.equal('connecting'); // the provider is asked a microtask later
      await h.clock.tickAsync(0);
      expect(connection.status).to.equal('reconnecting');
      const error = log.find((e) => e.type === 'error')!;
      expect(error.detail.code).to.equal('url-provider-failed');
      expect(error.detail.message).to.contain('token service down');
      expect(log.find((e) => e.type === 'retry')!.detail.attempt).to.equal(1);
      fail = false;
      await h.clock.tickAsync(200);
      expect(connection.status).to.equal('open');
    });

    it('a rejected promise counts the same; maxRetries applies', async () => {
      const { connection, log } = h.create({ maxRetries: 1, urlProvider: () => Promise.reject(new Error('401')) });
      connection.start();
      await h.clock.tickAsync(10_000);
      expect(connection.status).to.equal('failed');
      expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['url-provider-failed', 'url-provider-failed', 'retries-exhausted']);
    });

    it('a provider that hangs is cut by connectTimeout: the same error as a rejection, no close (no socket existed)', async () => {
      const { connection, log } = h.create({ connectTimeout: 300, urlProvider: () => new Promise<string>(() => undefined) });
      connection.start();
      await h.clock.tickAsync(300);
      expect(connection.status).to.equal('reconnecting');
      expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['url-provider-failed']);
      expect(types(log)).not.to.include('close');
    });

    it('a result that is not a url is a failed attempt, never an exception thrown into the page', async () => {
      const { connection, log } = h.create({ connectTimeout: 0, urlProvider: () => Object.create(null) as string });
      connection.start();
      await h.clock.tickAsync(0);
      expect(connection.status).to.equal('reconnecting');
      expect(log.find((e) => e.type === 'error')!.detail.code).to.equal('url-provider-failed');
    });

    it('reconnect() during a handshake with a throwing provider: close (willReconnect) comes before the retry', async () => {
      let calls = 0;
      const { connection, log } = h.create({
        connectTimeout: 0,
        urlProvider: () => {
          if (++calls > 1) throw new Error('x');
          return MOCK_URL;
        },
      }, { WebSocket: StalledSocket });
      connection.start();
      await h.clock.tickAsync(10);
      connection.reconnect();
      await h.clock.tickAsync(0);
      const after = log.slice(log.findIndex((e) => e.type === 'close'));
      expect(after.map((e) => e.type)).to.deep.equal(['close', 'error', 'status-change', 'retry']);
      expect(after[0]!.detail).to.include({ willReconnect: true, wasClean: false });
    });

    it('a result that arrives after close() opens nothing', async () => {
      const { connection } = h.create({
        urlProvider: () => new Promise<string>((resolve) => setTimeout(() => resolve(MOCK_URL), 50)),
      });
      connection.start();
      connection.close();
      await h.clock.tickAsync(1000);
      expect(BrowserLikeMockSocket.instances).to.have.length(0);
      expect(connection.status).to.equal('closed');
    });
  });
});
