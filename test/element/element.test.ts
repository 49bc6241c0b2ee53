import { expect, waitUntil } from '@open-wc/testing';
import sinon from 'sinon';
import '../../src/heartbeat-socket-define.js';
import { HeartbeatSocketElement } from '../../src/heartbeat-socket-element.js';
import { BrowserLikeMockSocket, Server, recordEvents } from '../helpers/mock.js';

const URL_ = 'ws://element.test/socket';

describe('<heartbeat-socket> (element, mock-socket)', () => {
  const RealWebSocket = globalThis.WebSocket;
  let server: Server;
  let received: unknown[];
  let host: HTMLDivElement;

  beforeEach(() => {
    BrowserLikeMockSocket.instances = [];
    received = [];
    globalThis.WebSocket = BrowserLikeMockSocket as unknown as typeof WebSocket;
    server = new Server(URL_, { mock: false });
    server.on('connection', (socket) => socket.on('message', (data) => received.push(data)));
    host = document.createElement('div');
    document.body.append(host);
  });

  afterEach(() => {
    host.remove();
    server.stop();
    globalThis.WebSocket = RealWebSocket;
  });

  /** Creates the element, listens to it, then sets attributes and inserts it: no event is missed. */
  async function make(attributes: Record<string, string>, insert = true) {
    const el = document.createElement('heartbeat-socket');
    const log = recordEvents(el);
    for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
    if (insert) {
      host.append(el);
      await el.updateComplete; // Lit renders only once connected
    }
    return { el, log };
  }

  async function makeOpen(attributes: Record<string, string> = {}) {
    const made = await make({ url: URL_, ...attributes });
    await waitUntil(() => made.el.status === 'open', 'element did not open');
    return made;
  }

  it('is defined, and defining it again does not throw', async () => {
    expect(customElements.get('heartbeat-socket')).to.equal(HeartbeatSocketElement);
    await import(`../../src/heartbeat-socket-define.ts?again=${Date.now()}`);
    expect(customElements.get('heartbeat-socket')).to.equal(HeartbeatSocketElement);
  });

  it('settings set in the same task rule a send() made before the first update (queue-limit, format)', async () => {
    const el = document.createElement('heartbeat-socket');
    const log = recordEvents(el);
    el.setAttribute('url', URL_);
    el.setAttribute('queue-limit', '3');
    el.setAttribute('format', 'json');
    host.append(el);
    // No await: Lit has not updated yet.
    const results = [1, 2, 3, 4, 5].map((n) => el.send({ n }));
    expect(results).to.deep.equal([true, true, true, false, false]);
    expect(log.filter((e) => e.type === 'error').map((e) => (e.detail as { code: string }).code)).to.deep.equal(['queue-full', 'queue-full']);
    await waitUntil(() => el.status === 'open', 'element did not open');
    await waitUntil(() => received.length === 3, 'queued sends not delivered');
    expect(received).to.deep.equal(['{"n":1}', '{"n":2}', '{"n":3}']);
    // The update that follows does not give (or report) the same settings again.
    el.setAttribute('interval', 'abc');
    await el.updateComplete;
    el.setAttribute('ping-message', 'hi');
    await el.updateComplete;
    expect(log.filter((e) => e.type === 'error' && (e.detail as { code: string }).code === 'invalid-option')).to.have.length(1);
  });

  it('renders a per-status child only in its status, before the children without a slot, which show in every status', async () => {
    const el = document.createElement('heartbeat-socket');
    for (const status of ['idle', 'connecting', 'open', 'reconnecting', 'closed', 'failed']) {
      const child = document.createElement('span');
      child.slot = status;
      child.textContent = status;
      el.append(child);
    }
    const plain = document.createElement('span');
    plain.textContent = 'content';
    el.append(plain);
    const shown = () => [...el.children].filter((child) => child.checkVisibility()).map((child) => (child as HTMLElement).slot || 'no slot');
    const seen: string[] = [];
    const check = () => {
      seen.push(el.status);
      expect(shown(), el.status).to.deep.equal([el.status, 'no slot']);
      const statusChild = el.querySelector(`[slot="${el.status}"]`)!;
      expect(statusChild.getBoundingClientRect().left, 'status child first').to.be.below(plain.getBoundingClientRect().left);
    };
    host.append(el);
    await el.updateComplete;
    check();
    el.url = URL_;
    await el.updateComplete;
    check();
    await waitUntil(() => el.status === 'open', 'element did not open');
    check();
    el.close();
    check();
    el.url = 'ftp://element.test/';
    await el.updateComplete;
    check();
    // After the last socket's close handshake: the url is unusable.
    await waitUntil(() => el.status === 'failed', 'element did not fail');
    check();
    expect(seen).to.include.members(['idle', 'open', 'closed', 'failed']);
  });

  it('is idle without a url, and idle while not in a document', async () => {
    const { el } = await make({});
    expect(el.status).to.equal('idle');
    expect(el.getAttribute('status')).to.equal('idle');
    const detached = await make({ url: URL_ }, false);
    await new Promise((r) => setTimeout(r, 20));
    expect(detached.el.status).to.equal('idle');
    expect(BrowserLikeMockSocket.instances).to.have.length(0);
  });

  it('maps kebab-case attributes to the core options', async () => {
    const { el } = await make({
      url: URL_,
      interval: '1234',
      timeout: '567',
      'ping-message': 'hb?',
      'pong-message': 'hb!',
      protocols: 'chat, v2',
      'reconnect-delay': '50',
      'reconnect-max-delay': '5000',
      'max-retries': '3',
      'connect-timeout': '800',
      format: 'json',
      'queue-limit': '7',
      'binary-type': 'arraybuffer',
    });
    expect(el.connection.options).to.deep.include({
      url: URL_,
      interval: 1234,
      timeout: 567,
      pingMessage: 'hb?',
      pongMessage: 'hb!',
      protocols: 'chat, v2',
      reconnectDelay: 50,
      reconnectMaxDelay: 5000,
      maxRetries: 3,
      connectTimeout: 800,
      format: 'json',
      queueLimit: 7,
      binaryType: 'arraybuffer',
    });
    expect(el.interval).to.equal(1234);
  });

  it('reflects status as an attribute and a custom state, and announces each change', async () => {
    const { el, log } = await makeOpen();
    expect(el.getAttribute('status')).to.equal('open');
    expect(el.matches(':state(open)')).to.equal(true);
    expect(el.matches(':state(connecting)')).to.equal(false);
    const changes = log.filter((e) => e.type === 'status-change').map((e) => e.detail);
    expect(changes).to.deep.equal([
      { status: 'connecting', previous: 'idle' },
      { status: 'open', previous: 'connecting' },
    ]);
  });

  it('status is read-only, and assigning it (as frameworks do with props) does not throw', async () => {
    const { el } = await makeOpen();
    expect(() => {
      (el as unknown as { status: string }).status = 'failed';
    }).not.to.throw();
    expect(el.status).to.equal('open');
    expect(el.getAttribute('status')).to.equal('open');
  });

  it('dispatches non-bubbling, non-composed CustomEvents on itself', async () => {
    const onParent: string[] = [];
    for (const type of ['open', 'message', 'status-change', 'close']) host.addEventListener(type, () => onParent.push(type));
    const seen: Event[] = [];
    const el = document.createElement('heartbeat-socket');
    el.addEventListener('message', (e) => seen.push(e));
    el.addEventListener('open', (e) => seen.push(e));
    el.url = URL_;
    host.append(el);
    await waitUntil(() => el.status === 'open');
    server.clients()[0]!.send('hello');
    await waitUntil(() => seen.length === 2);
    for (const event of seen) {
      expect(event).to.be.instanceOf(CustomEvent);
      expect(event.bubbles).to.equal(false);
      expect(event.composed).to.equal(false);
    }
    expect((seen[1] as CustomEvent).detail).to.deep.equal({ data: 'hello' });
    el.close();
    expect(onParent).to.deep.equal([]);
  });

  it('sends, and queues sends made before it is connected', async () => {
    const el = document.createElement('heartbeat-socket');
    expect(el.send('early')).to.equal(true);
    el.url = URL_;
    host.append(el);
    await waitUntil(() => el.status === 'open');
    expect(el.send('later')).to.equal(true);
    await waitUntil(() => received.length === 2);
    expect(received).to.deep.equal(['early', 'later']);
  });

  it('removal closes the socket and clears every timer', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    try {
      const { el, log } = await make({ url: URL_, interval: '1000', timeout: '500' });
      await clock.tickAsync(10);
      expect(el.status).to.equal('open');
      el.remove();
      await clock.tickAsync(0); // the removal is judged in the next task (a move keeps the socket)
      expect(el.status).to.equal('closed');
      expect(log.filter((e) => e.type === 'close').at(-1)!.detail).to.include({ code: 1000, willReconnect: false });
      await clock.tickAsync(10); // mock-socket delivers its own close event
      expect(clock.countTimers()).to.equal(0);
      expect(BrowserLikeMockSocket.live()).to.equal(0);
      await clock.tickAsync(60_000);
      expect(BrowserLikeMockSocket.instances).to.have.length(1);
    } finally {
      clock.restore();
    }
  });

  it('a move within the document (same task) keeps the connection', async () => {
    const { el, log } = await makeOpen();
    const other = document.createElement('section');
    document.body.append(other);
    other.append(el); // removed and inserted again synchronously
    await new Promise((r) => setTimeout(r, 30));
    expect(el.status).to.equal('open');
    expect(BrowserLikeMockSocket.instances).to.have.length(1);
    expect(log.filter((e) => e.type === 'close')).to.deep.equal([]);
    other.remove();
  });

  it('a move with an await between removal and insertion (still the same task) keeps the connection', async () => {
    const { el, log } = await makeOpen();
    const parent = el.parentNode!;
    el.remove();
    await null;
    await Promise.resolve();
    parent.appendChild(el);
    await new Promise((r) => setTimeout(r, 30));
    expect(el.status).to.equal('open');
    expect(BrowserLikeMockSocket.instances).to.have.length(1);
    expect(log.filter((e) => e.type === 'close')).to.deep.equal([]);
  });

  it('removed while failed, a new url opens nothing until it is inserted again', async () => {
    const { el } = await make({ url: 'ftp://nope.test/' });
    expect(el.status).to.equal('failed');
    el.remove();
    await new Promise((r) => setTimeout(r, 10));
    el.url = URL_;
    await el.updateComplete;
    await new Promise((r) => setTimeout(r, 30));
    expect(BrowserLikeMockSocket.instances).to.have.length(0);
    host.append(el);
    await waitUntil(() => el.status === 'open');
  });

  it('numeric strings set as properties (as some frameworks pass attribute text) are numbers', async () => {
    const { el, log } = await make({ url: URL_ });
    (el as unknown as Record<string, unknown>).interval = '500';
    (el as unknown as Record<string, unknown>).maxRetries = ' 3 ';
    await el.updateComplete;
    expect(el.connection.options.interval).to.equal(500);
    expect(el.connection.options.maxRetries).to.equal(3);
    expect(log.filter((e) => e.type === 'error')).to.deep.equal([]);
  });

  it('an author-written status attribute is put back to the real status', async () => {
    const el = document.createElement('heartbeat-socket');
    el.setAttribute('status', 'open'); // in the HTML before the element connected
    host.append(el);
    await el.updateComplete;
    expect(el.getAttribute('status')).to.equal('idle');
    el.setAttribute('status', 'failed');
    expect(el.getAttribute('status')).to.equal('idle');
  });

  it('inserted again after a removal, it connects again', async () => {
    const { el } = await makeOpen();
    el.remove();
    await new Promise((r) => setTimeout(r, 10));
    expect(el.status).to.equal('closed');
    host.append(el);
    await waitUntil(() => el.status === 'open');
    expect(BrowserLikeMockSocket.instances).to.have.length(2);
    expect(BrowserLikeMockSocket.live()).to.equal(1);
  });

  it('a new url switches over with one socket at most', async () => {
    const second = new Server(`${URL_}/2`, { mock: false });
    try {
      const { el } = await makeOpen();
      let maxLive = 0;
      el.addEventListener('status-change', () => (maxLive = Math.max(maxLive, BrowserLikeMockSocket.live())));
      el.url = `${URL_}/2`;
      await el.updateComplete;
      maxLive = Math.max(maxLive, BrowserLikeMockSocket.live());
      await waitUntil(() => el.status === 'open');
      expect(el.connection.url).to.equal(`${URL_}/2`);
      expect(maxLive).to.equal(1);
      expect(server.clients()).to.have.length(0);
    } finally {
      second.stop();
    }
  });

  it('new interval and timeout take effect without a reconnect', async () => {
    const { el } = await makeOpen({ interval: '60000' });
    el.interval = 40;
    el.timeout = 5000;
    await el.updateComplete;
    await waitUntil(() => received.includes('ping'), 'no ping after the interval changed');
    expect(BrowserLikeMockSocket.instances).to.have.length(1);
    expect(el.connection.options.timeout).to.equal(5000);
  });

  it('removing the url attribute ends the connection: idle', async () => {
    const { el } = await makeOpen();
    el.removeAttribute('url');
    await el.updateComplete;
    expect(el.status).to.equal('idle');
    expect(BrowserLikeMockSocket.live()).to.equal(0);
  });

  it('close() is final: a later move or interval change does not reconnect', async () => {
    const { el } = await makeOpen();
    el.close();
    expect(el.status).to.equal('closed');
    el.interval = 1000;
    host.append(el);
    await new Promise((r) => setTimeout(r, 30));
    expect(el.status).to.equal('closed');
    expect(BrowserLikeMockSocket.instances).to.have.length(1);
    expect(el.send('x')).to.equal(false);
  });

  it('reconnect() connects again after close(), and refuses when not in a document', async () => {
    const { el, log } = await makeOpen();
    el.close();
    el.reconnect();
    await waitUntil(() => el.status === 'open');
    el.remove();
    await Promise.resolve();
    el.reconnect();
    expect(log.filter((e) => e.type === 'error').at(-1)!.detail.code).to.equal('not-connected');
    await new Promise((r) => setTimeout(r, 20));
    expect(el.status).to.equal('closed');
  });

  describe('bad input', () => {
    it('non-numeric and negative times: error events naming them, defaults used, connection works', async () => {
      const { el, log } = await make({ url: URL_, interval: 'soon', timeout: '-5', 'max-retries': 'lots', 'reconnect-delay': '' });
      const errors = log.filter((e) => e.type === 'error').map((e) => e.detail.message as string);
      expect(errors).to.have.length(4);
      expect(errors.join('\n')).to.contain('interval "soon"').and.contain('timeout -5').and.contain('maxRetries "lots"');
      expect(el.connection.options).to.deep.include({ interval: 25_000, timeout: 10_000, maxRetries: Infinity, reconnectDelay: 1000 });
      await waitUntil(() => el.status === 'open');
    });

    for (const url of ['ftp://x.test/', 'http://[bad', 'mailto:someone@x.test']) {
      it(`url ${url}: error event and failed, with no socket and no retry`, async () => {
        const { el, log } = await make({ url });
        await new Promise((r) => setTimeout(r, 50));
        expect(el.status).to.equal('failed');
        expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-url']);
        expect(BrowserLikeMockSocket.instances).to.have.length(0);
      });
    }

    it('a new url after failed starts again', async () => {
      const { el } = await make({ url: 'ftp://x.test/' });
      expect(el.status).to.equal('failed');
      el.url = URL_;
      await waitUntil(() => el.status === 'open');
    });

    it('relative and http(s) urls resolve against the document base', async () => {
      const { el } = await make({ url: '/some/path', 'connect-timeout': '0' });
      const expected = new URL('/some/path', document.baseURI);
      expected.protocol = expected.protocol === 'https:' ? 'wss:' : 'ws:';
      expect(BrowserLikeMockSocket.instances[0]!.url).to.equal(expected.href);
      el.close();
    });

    it('send() of something a socket cannot carry is refused with an error, never thrown', async () => {
      const { el, log } = await makeOpen();
      expect(() => el.send({ not: 'text' })).not.to.throw();
      expect(el.send(Symbol('x'))).to.equal(false);
      expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-data', 'invalid-data']);
      expect(el.status).to.equal('open');
    });
  });
});
