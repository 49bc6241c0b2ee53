import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import type { ConnectionStatus } from '../../src/core/index.js';
import { PageHub } from '../../src/share/page-hub.js';
import type { ShareMember } from '../../src/share/member-set.js';
import { BrowserLikeMockSocket, Server } from '../helpers/mock.js';

// share="page" with mock-socket and a fake clock: which member's settings rule, where errors go,
// and what leaving does. The real-server behaviour is in page.test.ts.

const URL_ = 'ws://mock.test/shared';
const address = { key: `${URL_}\n`, url: URL_, protocols: [] };

function member(settings: Record<string, unknown> = {}) {
  const target = new EventTarget();
  const events: Array<{ type: string; detail: any }> = [];
  for (const type of ['open', 'close', 'status-change', 'message', 'error', 'heartbeat']) {
    target.addEventListener(type, (event) => events.push({ type, detail: (event as CustomEvent).detail }));
  }
  let status: ConnectionStatus = 'idle';
  const value: ShareMember = { target, settings: () => settings, reflect: (next) => (status = next) };
  return { member: value, events, settings, status: () => status, count: (type: string) => events.filter((e) => e.type === type).length };
}

describe('PageHub (mock-socket, fake timers)', () => {
  let clock: sinon.SinonFakeTimers;
  let server: Server;
  let received: unknown[];
  let hub: PageHub;
  let emptied: number;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    BrowserLikeMockSocket.instances = [];
    received = [];
    emptied = 0;
    server = new Server(URL_, { mock: false });
    server.on('connection', (socket) =>
      socket.on('message', (data) => {
        received.push(data);
        if (data === 'ping') socket.send('pong');
      }),
    );
    hub = new PageHub(address, () => emptied++, { WebSocket: BrowserLikeMockSocket, random: () => 0.5, window: null, document: null });
  });

  afterEach(() => {
    hub.connection.close();
    server.stop();
    clock.restore();
  });

  it('one socket for three members; the first member’s heartbeat rules, then the next one’s when it leaves', async () => {
    const a = member({ interval: 1000, timeout: 500 });
    const b = member({ interval: 4000, timeout: 500 });
    const c = member({ interval: 250, timeout: 500 });
    const links = [a, b, c].map((m) => hub.join(m.member));
    await clock.tickAsync(10);
    expect(BrowserLikeMockSocket.instances.length).to.equal(1);
    expect([a, b, c].map((m) => m.status())).to.deep.equal(['open', 'open', 'open']);
    await clock.tickAsync(1000);
    expect(received.filter((m) => m === 'ping').length).to.equal(1); // a's 1000 ms
    links[0]!.leave(1000, 'gone');
    received = [];
    await clock.tickAsync(3000);
    expect(received.filter((m) => m === 'ping').length).to.equal(0); // b's 4000 ms now
    await clock.tickAsync(1500);
    expect(received.filter((m) => m === 'ping').length).to.equal(1);
    expect(BrowserLikeMockSocket.instances.length).to.equal(1);
  });

  it('a refused send is an error for its member only; a group error reaches everyone', async () => {
    const [a, b] = [member(), member()];
    const [, lb] = [hub.join(a.member), hub.join(b.member)];
    await clock.tickAsync(10);
    expect(lb!.send(Symbol('nope'))).to.equal(false);
    expect(b.count('error')).to.equal(1);
    expect(a.count('error')).to.equal(0);
    server.close({ code: 4500, reason: 'go', wasClean: true } as never); // a loss: socket-level, everyone's
    await clock.tickAsync(10);
    expect(a.count('close')).to.equal(1);
    expect(b.count('close')).to.equal(1);
  });

  it('bad settings of the ruler are not reported again by the hub (the element’s own connection does)', async () => {
    const a = member({ interval: -5 });
    hub.join(a.member);
    await clock.tickAsync(10);
    expect(a.count('error')).to.equal(0);
    expect(hub.connection.options.interval).to.equal(25_000);
  });

  it('the last member to leave closes the socket with 1000 and empties the hub; others leaving do not', async () => {
    const [a, b] = [member(), member()];
    const [la, lb] = [hub.join(a.member), hub.join(b.member)];
    await clock.tickAsync(10);
    la!.leave(1000, 'one');
    expect(BrowserLikeMockSocket.instances[0]!.closeCalls).to.deep.equal([]);
    expect(emptied).to.equal(0);
    expect(a.status()).to.equal('closed');
    lb!.leave(1000, 'two');
    expect(BrowserLikeMockSocket.instances[0]!.closeCalls).to.deep.equal([{ code: 1000, reason: 'no element left' }]);
    expect(emptied).to.equal(1);
  });

  it('reconnect() from any member: one new socket for all, each sees close then open', async () => {
    const [a, b] = [member(), member()];
    hub.join(a.member);
    const lb = hub.join(b.member);
    await clock.tickAsync(10);
    lb.reconnect();
    await clock.tickAsync(1100);
    for (const m of [a, b]) {
      expect(m.events.filter((e) => e.type === 'open' || e.type === 'close').map((e) => e.type)).to.deep.equal(['open', 'close', 'open']);
    }
    expect(BrowserLikeMockSocket.live()).to.equal(1);
  });

  it('a member joining an open group gets status-change and open, the others nothing', async () => {
    const a = member();
    hub.join(a.member);
    await clock.tickAsync(10);
    const before = a.events.length;
    const late = member();
    hub.join(late.member);
    expect(late.events.map((e) => e.type)).to.deep.equal(['status-change', 'open']);
    expect(a.events.length).to.equal(before);
  });
});
