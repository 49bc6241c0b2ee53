import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { createMessageBatch, type FrameScheduler, HeartbeatConnection, type HeartbeatOptions, systemClock } from '../../src/core/index.js';
import { BrowserLikeMockSocket, Server, recordEvents } from '../helpers/mock.js';

const URL_ = 'ws://mock.test/batch';
const INTERVAL = 1000;
const TIMEOUT = 500;
const EVENTS = ['open', 'message', 'messages', 'close', 'error', 'status-change', 'retry', 'heartbeat'];

/** Frames that run only when the test says so: a frame is a step the test controls. */
class ManualFrames implements FrameScheduler {
  #callbacks = new Map<number, () => void>();
  #next = 1;
  requested = 0;
  request(callback: () => void): number {
    this.requested++;
    const id = this.#next++;
    this.#callbacks.set(id, callback);
    return id;
  }
  cancel(handle: unknown): void {
    this.#callbacks.delete(handle as number);
  }
  get pending(): number {
    return this.#callbacks.size;
  }
  run(): void {
    const callbacks = [...this.#callbacks.values()];
    this.#callbacks.clear();
    for (const callback of callbacks) callback();
  }
}

/** A document whose visibility the test sets, firing `visibilitychange` like a page. */
class FakeDocument extends EventTarget {
  visibilityState: 'visible' | 'hidden' = 'visible';
  listeners = 0;
  override addEventListener(...args: Parameters<EventTarget['addEventListener']>): void {
    if (args[0] === 'visibilitychange') this.listeners++;
    super.addEventListener(...args);
  }
  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>): void {
    if (args[0] === 'visibilitychange') this.listeners--;
    super.removeEventListener(...args);
  }
  setVisibility(state: 'visible' | 'hidden'): void {
    this.visibilityState = state;
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

describe('MessageBatch (batch mode, mock-socket, fake timers)', () => {
  let clock: sinon.SinonFakeTimers;
  let server: Server;
  let frames: ManualFrames;
  let doc: FakeDocument;
  let connection: HeartbeatConnection | undefined;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
    BrowserLikeMockSocket.instances = [];
    frames = new ManualFrames();
    doc = new FakeDocument();
    server = new Server(URL_, { mock: false });
  });

  afterEach(() => {
    connection?.close();
    connection = undefined;
    server.stop();
    clock.restore();
  });

  async function open(options: HeartbeatOptions = {}) {
    connection = new HeartbeatConnection(
      { url: URL_, interval: INTERVAL, timeout: TIMEOUT, reconnectDelay: 100, batch: 'frame', ...options },
      // The page lifecycle handling also listens on the document: give it a window-less setup.
      { WebSocket: BrowserLikeMockSocket, random: () => 0.5, frames, document: doc, window: null },
    );
    const log = recordEvents(connection, EVENTS);
    connection.start();
    await clock.tickAsync(10);
    expect(connection.status).to.equal('open');
    log.length = 0;
    return { connection, log, client: server.clients()[0]! };
  }

  const types = (log: Array<{ type: string }>) => log.map((e) => e.type);
  const batches = (log: Array<{ type: string; detail: any }>) => log.filter((e) => e.type === 'messages').map((e) => e.detail.data);

  describe('one event per frame', () => {
    for (const count of [1, 2, 10, 500]) {
      it(`${count} message(s) before a frame arrive as one messages event, in order, and no message event`, async () => {
        const { log, client } = await open();
        const sent = Array.from({ length: count }, (_, i) => `m${i}`);
        for (const text of sent) client.send(text);
        await clock.tickAsync(10);
        expect(batches(log)).to.deep.equal([]);
        expect(frames.requested).to.equal(1);
        frames.run();
        expect(batches(log)).to.deep.equal([sent]);
        expect(types(log)).to.not.include('message');
      });
    }

    it('messages of later frames go in later events; a frame with nothing new dispatches nothing', async () => {
      const { log, client } = await open();
      client.send('a');
      client.send('b');
      await clock.tickAsync(10);
      frames.run();
      client.send('c');
      await clock.tickAsync(10);
      frames.run();
      frames.run();
      expect(batches(log)).to.deep.equal([['a', 'b'], ['c']]);
      expect(frames.requested).to.equal(2);
    });

    it('the messages event does not bubble and its array is new for each batch', async () => {
      const { connection, client } = await open();
      const events: CustomEvent[] = [];
      connection.addEventListener('messages', (event) => events.push(event as CustomEvent));
      client.send('a');
      await clock.tickAsync(10);
      frames.run();
      client.send('b');
      await clock.tickAsync(10);
      frames.run();
      expect(events.map((e) => e.bubbles)).to.deep.equal([false, false]);
      expect(events[0]!.detail.data).to.not.equal(events[1]!.detail.data);
      expect(events[0]!.detail.data).to.deep.equal(['a']);
    });
  });

  describe('formats and the pong', () => {
    it('json: items are parsed values; a malformed one is an error in its place, the others kept in order', async () => {
      const { log, client } = await open({ format: 'json' });
      client.send('{"n":1}');
      client.send('[2]');
      client.send('not json');
      client.send('"three"');
      await clock.tickAsync(10);
      frames.run();
      expect(types(log)).to.deep.equal(['messages', 'error', 'messages']);
      expect(batches(log)).to.deep.equal([[{ n: 1 }, [2]], ['three']]);
      expect(log[1]!.detail.code).to.equal('invalid-json');
    });

    for (const format of ['text', 'json'] as const) {
      it(`${format}: the pong between messages is excluded`, async () => {
        const { log, client } = await open({ format });
        client.send('1');
        client.send('pong');
        client.send('2');
        await clock.tickAsync(10);
        frames.run();
        expect(batches(log).flat()).to.deep.equal(format === 'json' ? [1, 2] : ['1', '2']);
      });
    }
  });

  describe('the heartbeat is unchanged', () => {
    it('a message proves life when it arrives, not at the frame: frames that never run do not kill a busy connection', async () => {
      const { connection, client } = await open();
      const pings: unknown[] = [];
      client.on('message', (data) => pings.push(data));
      // Traffic every 400 ms (less than interval) for 5 × (interval + timeout); no frame ever runs.
      for (let t = 0; t < 5 * (INTERVAL + TIMEOUT); t += 400) {
        client.send('tick');
        await clock.tickAsync(400);
      }
      expect(connection.status).to.equal('open');
      expect(pings).to.deep.equal([]);
    });

    it('the reply to a ping counts at once, and a message-less line still dies at interval + timeout', async () => {
      const { connection, log, client } = await open();
      await clock.tickAsync(INTERVAL);
      client.send('data after the ping');
      await clock.tickAsync(10);
      expect(log.filter((e) => e.type === 'heartbeat')).to.have.length(1);
      frames.run();
      log.length = 0;
      // Now silence: found at most interval + timeout after that message.
      await clock.tickAsync(INTERVAL + TIMEOUT);
      const close = log.find((e) => e.type === 'close');
      expect(close, 'heartbeat close').to.not.equal(undefined);
      expect(close!.detail.code).to.be.within(4000, 4999);
      expect(close!.detail.willReconnect).to.equal(true);
      expect(connection.status).to.be.oneOf(['connecting', 'open', 'reconnecting']);
    });
  });

  describe('a hidden page, where frames stop', () => {
    it('hidden when the batch starts: delivered after a task, no frame requested', async () => {
      const { log, client } = await open();
      doc.setVisibility('hidden');
      client.send('a');
      client.send('b');
      await clock.tickAsync(10);
      expect(frames.requested).to.equal(0);
      expect(batches(log)).to.deep.equal([['a', 'b']]);
    });

    it('hidden while a frame is awaited: the frame is cancelled and the batch goes after a task', async () => {
      const { log, client } = await open();
      // The connection's own page-lifecycle handling listens on the document too.
      const baseline = doc.listeners;
      client.send('a');
      await clock.tickAsync(1);
      expect(frames.pending).to.equal(1);
      doc.setVisibility('hidden');
      expect(frames.pending).to.equal(0);
      await clock.tickAsync(1);
      expect(batches(log)).to.deep.equal([['a']]);
      expect(doc.listeners).to.equal(baseline);
    });

    it('visibility is watched only while a frame is awaited (nothing left on the document)', async () => {
      const { client } = await open();
      const baseline = doc.listeners;
      client.send('a');
      await clock.tickAsync(1);
      expect(doc.listeners).to.equal(baseline + 1);
      frames.run();
      expect(doc.listeners).to.equal(baseline);
    });

    it('no frame scheduler at all (as in Node): a task', async () => {
      connection = new HeartbeatConnection(
        { url: URL_, interval: INTERVAL, timeout: TIMEOUT, batch: 'frame' },
        { WebSocket: BrowserLikeMockSocket, frames: null, document: null, window: null },
      );
      const log = recordEvents(connection, EVENTS);
      connection.start();
      await clock.tickAsync(10);
      server.clients()[0]!.send('x');
      await clock.tickAsync(1);
      expect(batches(log)).to.deep.equal([['x']]);
    });
  });

  describe('a window in ms', () => {
    for (const ms of [0, 50, 200]) {
      it(`batch=${ms}: the messages of ${ms} ms from the first go out together, ${ms} ms after it`, async () => {
        const { log, client } = await open({ batch: ms });
        client.send('a');
        await clock.tickAsync(Math.floor(ms / 2));
        client.send('b');
        if (ms > 0) {
          await clock.tickAsync(ms - Math.floor(ms / 2) - 1);
          expect(batches(log)).to.deep.equal([]);
        }
        await clock.tickAsync(1);
        expect(batches(log)).to.deep.equal(ms === 0 ? [['a'], ['b']] : [['a', 'b']]);
        expect(frames.requested).to.equal(0);
      });
    }

    it('a numeric string ("50", as from an attribute) is 50 ms', async () => {
      const { connection } = await open({ batch: '50' as unknown as number });
      expect(connection.options.batch).to.equal(50);
    });
  });

  describe('endings: what waits is delivered first', () => {
    it('close(): the pending batch, then status-change and close', async () => {
      const { connection, log, client } = await open();
      client.send('a');
      client.send('b');
      await clock.tickAsync(10);
      connection.close();
      expect(types(log)).to.deep.equal(['messages', 'status-change', 'close']);
      expect(batches(log)).to.deep.equal([['a', 'b']]);
      frames.run();
      expect(batches(log)).to.have.length(1);
    });

    for (const code of [1000, 1011, 4001]) {
      it(`the server's last words before a close with ${code} are delivered before close`, async () => {
        const { log, client } = await open();
        client.send('bye');
        client.close({ code, reason: '', wasClean: true });
        await clock.tickAsync(10);
        const ordered = types(log).filter((t) => t === 'messages' || t === 'close');
        expect(ordered).to.deep.equal(['messages', 'close']);
        expect(batches(log)).to.deep.equal([['bye']]);
      });
    }

    it('a messages listener that closes: no stale status-change or close of the loss after it', async () => {
      const { connection, log, client } = await open();
      connection.addEventListener('messages', () => connection.close(), { once: true });
      client.send('a');
      client.close({ code: 1011, reason: '', wasClean: true });
      await clock.tickAsync(500);
      expect(connection.status).to.equal('closed');
      expect(types(log)).to.deep.equal(['messages', 'status-change', 'close']);
      expect(log[1]!.detail).to.deep.equal({ status: 'closed', previous: 'open' });
      expect(log[2]!.detail.willReconnect).to.equal(false);
      expect(BrowserLikeMockSocket.live()).to.equal(0);
    });

    it('turning batch off while messages wait delivers them, then message events', async () => {
      const { connection, log, client } = await open();
      client.send('a');
      await clock.tickAsync(10);
      connection.configure({ batch: 'none' });
      client.send('b');
      await clock.tickAsync(10);
      expect(types(log)).to.deep.equal(['messages', 'message']);
      expect(log[1]!.detail.data).to.equal('b');
      expect(frames.pending).to.equal(0);
    });

    it('turning batch on later: message events until then, messages events after', async () => {
      const { connection, log, client } = await open({ batch: 'none' });
      client.send('a');
      await clock.tickAsync(10);
      connection.configure({ batch: 'frame' });
      client.send('b');
      await clock.tickAsync(10);
      frames.run();
      expect(types(log)).to.deep.equal(['message', 'messages']);
    });
  });

  describe('bad input', () => {
    for (const value of ['frames', -1, NaN, {}, '']) {
      it(`batch ${JSON.stringify(value) ?? String(value)} is an invalid-option error and means off`, async () => {
        connection = new HeartbeatConnection({ url: URL_, batch: value as never }, { WebSocket: BrowserLikeMockSocket, frames, window: null, document: doc });
        const log = recordEvents(connection, EVENTS);
        await clock.tickAsync(0);
        expect(log.map((e) => e.detail.code)).to.deep.equal(['invalid-option']);
        expect(log[0]!.detail.message).to.contain('batch');
        expect(connection.options.batch).to.equal('none');
      });
    }
  });

  describe('createMessageBatch alone', () => {
    it('requests one frame per batch however many messages, and flush() empties it', () => {
      const delivered: unknown[][] = [];
      const batch = createMessageBatch('frame', (items) => delivered.push(items), { clock: systemClock, frames, document: null });
      for (let i = 0; i < 1000; i++) batch.push(i);
      expect(frames.requested).to.equal(1);
      expect(batch.size).to.equal(1000);
      batch.flush();
      expect(delivered).to.have.length(1);
      expect(delivered[0]).to.have.length(1000);
      expect(batch.size).to.equal(0);
      expect(frames.pending).to.equal(0);
      batch.flush();
      expect(delivered).to.have.length(1);
    });
  });
});
