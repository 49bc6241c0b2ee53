// Shared setup of the core unit tests: sinon fake timers, a mock-socket server at URL, and a
// HeartbeatConnection made with the browser-like mock socket. Call `useMockConnection()` inside a
// `describe`: it registers its own beforeEach/afterEach.
import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { HeartbeatConnection, type HeartbeatEnvironment, type HeartbeatOptions } from '../../src/core/index.js';
import { BrowserLikeMockSocket, Server, StalledSocket, recordEvents } from './mock.js';

export const MOCK_URL = 'ws://mock.test/socket';

export type EventLog = Array<{ type: string; detail: any; at: number }>;

export interface MockConnectionHarness {
  readonly clock: sinon.SinonFakeTimers;
  readonly server: Server;
  /** Everything the server received, in order. */
  readonly received: unknown[];
  /** Makes a connection (not started) with the defaults below merged under `options`. */
  create(options?: HeartbeatOptions, env?: EnvironmentInput): { connection: HeartbeatConnection; log: EventLog };
  /** Makes, starts and opens a connection. */
  openConnection(options?: HeartbeatOptions, env?: EnvironmentInput): Promise<{ connection: HeartbeatConnection; log: EventLog }>;
  /** A new mock server at MOCK_URL (after `server.stop()` in a test), stopped after the test. */
  replaceServer(): Server;
}

/** Test doubles (StalledSocket, recorders) are passed as they are: only their shape matters. */
type EnvironmentInput = HeartbeatEnvironment | Record<string, unknown>;

export const types = (log: EventLog) => log.map((e) => e.type);
export const statuses = (log: EventLog) => log.filter((e) => e.type === 'status-change').map((e) => e.detail.status);
export const ofType = (log: EventLog, type: string) => log.filter((e) => e.type === type);

export function useMockConnection(
  defaults: HeartbeatOptions = { interval: 1000, timeout: 500, reconnectDelay: 100, reconnectMaxDelay: 2000 },
): MockConnectionHarness {
  let clock: sinon.SinonFakeTimers;
  let server: Server;
  let received: unknown[] = [];
  let connection: HeartbeatConnection | undefined;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
    BrowserLikeMockSocket.instances = [];
    StalledSocket.instances = [];
    received = [];
    startServer();
  });

  function startServer(): Server {
    server = new Server(MOCK_URL, { mock: false });
    server.on('connection', (socket) => {
      socket.on('message', (data) => received.push(data));
    });
    return server;
  }

  afterEach(() => {
    connection?.close();
    connection = undefined;
    server.stop();
    clock.restore();
  });

  const harness: MockConnectionHarness = {
    get clock() {
      return clock;
    },
    get server() {
      return server;
    },
    get received() {
      return received;
    },
    create(options = {}, env = {}) {
      const environment = { WebSocket: BrowserLikeMockSocket, random: () => 0.5, ...env } as HeartbeatEnvironment;
      connection = new HeartbeatConnection({ url: MOCK_URL, ...defaults, ...options }, environment);
      return { connection, log: recordEvents(connection) };
    },
    async openConnection(options = {}, env = {}) {
      const made = harness.create(options, env);
      made.connection.start();
      await clock.tickAsync(10);
      expect(made.connection.status).to.equal('open');
      return made;
    },
    replaceServer() {
      server.stop();
      return startServer();
    },
  };
  return harness;
}

/** A window/document pair for the page-lifecycle tests, with listener counts and an online flag. */
export function fakePage() {
  const win = new EventTarget() as EventTarget & { added: number; removed: number };
  win.added = win.removed = 0;
  const add = win.addEventListener.bind(win);
  const remove = win.removeEventListener.bind(win);
  win.addEventListener = (...args: Parameters<EventTarget['addEventListener']>) => {
    win.added++;
    add(...args);
  };
  win.removeEventListener = (...args: Parameters<EventTarget['removeEventListener']>) => {
    win.removed++;
    remove(...args);
  };
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const page: {
    win: typeof win;
    doc: typeof doc;
    online: boolean;
    env: HeartbeatEnvironment;
    fire(target: EventTarget, type: string, init?: Record<string, unknown>): boolean;
  } = {
    win,
    doc,
    online: true,
    env: { window: win, document: doc, isOnline: () => page.online },
    fire(target: EventTarget, type: string, init: Record<string, unknown> = {}) {
      return target.dispatchEvent(Object.assign(new Event(type), init));
    },
  };
  return page;
}
