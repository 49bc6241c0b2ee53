import { expect } from '@open-wc/testing';
import { BrowserLikeMockSocket } from '../helpers/mock.js';
import { MOCK_URL, ofType, useMockConnection } from '../helpers/connection.js';

// Issue 9 §5: with no WebSocket implementation at all (Node before 22 without `ws`, an SSR
// host), the error says so — not `invalid-url`, since the url is fine — and the state is sane.
describe('environment: the WebSocket implementation (core, fake timers)', () => {
  const h = useMockConnection();
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
  const setGlobal = (value: unknown) => Object.defineProperty(globalThis, 'WebSocket', { value, configurable: true, writable: true });
  afterEach(() => {
    if (descriptor) Object.defineProperty(globalThis, 'WebSocket', descriptor);
  });

  it('none in the host and none injected: failed with a no-websocket error, no retry, no timer', async () => {
    setGlobal(undefined);
    const { connection, log } = h.create({}, { WebSocket: undefined });
    connection.start();
    await h.clock.tickAsync(60_000);
    expect(connection.status).to.equal('failed');
    const errors = ofType(log, 'error').map((e) => e.detail);
    expect(errors.map((e) => e.code)).to.deep.equal(['no-websocket']);
    expect(errors[0]!.message).to.contain('environment.WebSocket');
    expect(ofType(log, 'retry')).to.deep.equal([]);
    expect(h.clock.countTimers()).to.equal(0);
    // Once there is one (a polyfill loaded later), reconnect() starts again.
    setGlobal(BrowserLikeMockSocket);
    connection.reconnect();
    await h.clock.tickAsync(10);
    expect(connection.status).to.equal('open');
    expect(connection.url).to.equal(MOCK_URL);
  });

  it('an unusable url is still invalid-url, whether or not a WebSocket exists', async () => {
    setGlobal(undefined);
    const { connection, log } = h.create({ url: 'ftp://example.com/' }, { WebSocket: undefined });
    connection.start();
    await h.clock.tickAsync(10);
    expect(connection.status).to.equal('failed');
    expect(ofType(log, 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-url']);
  });

  it('the global WebSocket is looked up at each attempt', async () => {
    setGlobal(BrowserLikeMockSocket);
    const { connection } = h.create({}, { WebSocket: undefined });
    connection.start();
    await h.clock.tickAsync(10);
    expect(connection.status).to.equal('open');
    expect(BrowserLikeMockSocket.instances).to.have.length(1);
  });
});
