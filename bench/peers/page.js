// In-page harness for `npm run bench -- --peers`: every contender behind one small adapter, so
// the same burst, the same silent path and the same page measure each of them. Bundled by
// esbuild (bench/figures/peers.mjs) with the peers inside; dist/ is loaded as built.
//
// An adapter opens one connection and reports what a page would see:
//   open(url, { onMessage, onBatch, heartbeat }) → Promise<{ send, told, close }>
// `onMessage(data)` once per message, or `onBatch(array)` for batch mode; `told(fn)` registers
// the page-visible signal that the connection is down (the peer's own close callback or status).
import '/dist/heartbeat-socket.js';
import { HeartbeatConnection } from '/dist/core/index.js';
import ReconnectingWebSocket from 'reconnecting-websocket';
import { WebSocket as PartySocketWs } from 'partysocket';
import sockette from 'sockette';
import WebsocketHeartbeatJsModule from 'websocket-heartbeat-js';
import { createApp, h, watch } from 'vue';
import { useWebSocket as useVueWebSocket } from '@vueuse/core';
import { createElement as reactElement, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import useReactWebSocketModule from 'react-use-websocket';

// Both ship CommonJS with __esModule; imported from ESM in a "type": "module" package, the
// default import is the whole exports object (Node's rule), so take its `default`.
const WebsocketHeartbeatJs = WebsocketHeartbeatJsModule.default ?? WebsocketHeartbeatJsModule;
const useReactWebSocket = useReactWebSocketModule.default ?? useReactWebSocketModule;

const nativeSetTimeout = window.setTimeout.bind(window);
const NativeWebSocket = window.WebSocket;
const sleep = (ms) => new Promise((resolve) => nativeSetTimeout(resolve, ms));

function within(ms, promise, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = nativeSetTimeout(() => reject(new Error(`peers page: ${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

// ---------------------------------------------------------------- adapters

const ADAPTERS = {
  raw(url, { onMessage }) {
    const ws = new WebSocket(url);
    const opened = deferred();
    ws.onopen = () => opened.resolve();
    ws.onmessage = (event) => onMessage(event.data);
    return opened.promise.then(() => ({
      send: (text) => ws.send(text),
      told: (fn) => ws.addEventListener('close', fn),
      close: () => ws.close(1000),
    }));
  },

  element(url, { onMessage, onBatch, heartbeat, batch }) {
    const el = document.createElement('heartbeat-socket');
    const hb = heartbeat;
    if (hb) {
      el.setAttribute('interval', String(hb.interval));
      el.setAttribute('timeout', String(hb.timeout));
    }
    el.setAttribute('reconnect-delay', '1000');
    if (batch) {
      el.setAttribute('batch', batch);
      el.addEventListener('messages', (event) => onBatch(event.detail.data));
    } else el.addEventListener('message', (event) => onMessage(event.detail.data));
    el.setAttribute('url', url);
    const opened = deferred();
    el.addEventListener('open', () => opened.resolve(), { once: true });
    document.body.append(el);
    return opened.promise.then(() => ({
      send: (text) => el.send(text),
      told: (fn) => el.addEventListener('close', fn),
      close: () => el.remove(),
    }));
  },

  core(url, { onMessage, heartbeat }) {
    const hb = heartbeat;
    const connection = new HeartbeatConnection({ url, ...(hb ? { interval: hb.interval, timeout: hb.timeout } : {}) });
    connection.addEventListener('message', (event) => onMessage(event.detail.data));
    const opened = deferred();
    connection.addEventListener('open', () => opened.resolve(), { once: true });
    connection.start();
    return opened.promise.then(() => ({
      send: (text) => connection.send(text),
      told: (fn) => connection.addEventListener('close', fn),
      close: () => connection.close(),
    }));
  },

  'reconnecting-websocket'(url, { onMessage }) {
    const ws = new ReconnectingWebSocket(url);
    ws.onmessage = (event) => onMessage(event.data);
    const opened = deferred();
    ws.addEventListener('open', () => opened.resolve());
    return opened.promise.then(() => ({
      send: (text) => ws.send(text),
      told: (fn) => ws.addEventListener('close', fn),
      close: () => ws.close(1000),
    }));
  },

  partysocket(url, { onMessage }) {
    const ws = new PartySocketWs(url);
    ws.onmessage = (event) => onMessage(event.data);
    const opened = deferred();
    ws.addEventListener('open', () => opened.resolve());
    return opened.promise.then(() => ({
      send: (text) => ws.send(text),
      told: (fn) => ws.addEventListener('close', fn),
      close: () => ws.close(1000),
    }));
  },

  sockette(url, { onMessage }) {
    const opened = deferred();
    const closeListeners = [];
    const ws = sockette(url, {
      onopen: () => opened.resolve(),
      onmessage: (event) => onMessage(event.data),
      onclose: (event) => closeListeners.forEach((fn) => fn(event)),
    });
    return opened.promise.then(() => ({
      send: (text) => ws.send(text),
      told: (fn) => closeListeners.push(fn),
      close: () => ws.close(1000),
    }));
  },

  'websocket-heartbeat-js'(url, { onMessage, heartbeat }) {
    const hb = heartbeat;
    // Its pingTimeout is the silence before a ping, its pongTimeout the wait after it: ours.
    const ws = new WebsocketHeartbeatJs({
      url,
      pingMsg: 'ping',
      reconnectTimeout: 1000,
      ...(hb ? { pingTimeout: hb.interval, pongTimeout: hb.timeout } : {}),
    });
    const opened = deferred();
    const closeListeners = [];
    ws.onopen = () => opened.resolve();
    ws.onmessage = (event) => onMessage(event.data);
    ws.onclose = (event) => closeListeners.forEach((fn) => fn(event));
    return opened.promise.then(() => ({
      send: (text) => ws.send(text),
      told: (fn) => closeListeners.push(fn),
      close: () => ws.close(),
    }));
  },

  vueuse(url, { onMessage, heartbeat }) {
    const hb = heartbeat;
    const opened = deferred();
    const closeListeners = [];
    let api;
    const host = document.createElement('div');
    document.body.append(host);
    const app = createApp({
      setup() {
        api = useVueWebSocket(url, {
          autoReconnect: { delay: 1000 },
          // VueUse pings every `interval` whatever the traffic, and waits `pongTimeout` after it.
          ...(hb ? { heartbeat: { message: 'ping', responseMessage: 'pong', interval: hb.interval, pongTimeout: hb.timeout } } : {}),
          onConnected: () => opened.resolve(),
          onMessage: (_ws, event) => onMessage(event.data),
        });
        // What a Vue page renders from: the status ref.
        watch(api.status, (status) => {
          if (status === 'CLOSED') closeListeners.forEach((fn) => fn());
        });
        return () => h('span');
      },
    });
    app.mount(host);
    return opened.promise.then(() => ({
      send: (text) => api.send(text),
      told: (fn) => closeListeners.push(fn),
      close: () => {
        app.unmount();
        host.remove();
      },
    }));
  },

  'react-use-websocket'(url, { onMessage, heartbeat }) {
    const hb = heartbeat;
    const opened = deferred();
    const closeListeners = [];
    let sendMessage;
    const host = document.createElement('div');
    document.body.append(host);
    const root = createRoot(host);
    function Feed() {
      const { sendMessage: send, readyState, lastMessage } = useReactWebSocket(url, {
        shouldReconnect: () => true,
        reconnectInterval: 1000,
        onOpen: () => opened.resolve(),
        onMessage: (event) => onMessage(event.data),
        // Its timeout runs from the last message, not from the ping: interval + timeout is ours.
        ...(hb ? { heartbeat: { message: 'ping', returnMessage: 'pong', interval: hb.interval, timeout: hb.interval + hb.timeout } } : {}),
      });
      sendMessage = send;
      useEffect(() => {
        if (readyState === 3) closeListeners.forEach((fn) => fn());
      }, [readyState]);
      // A component that shows the feed: lastMessage is what users render from.
      return reactElement('span', null, lastMessage ? 1 : 0);
    }
    root.render(reactElement(Feed));
    return opened.promise.then(() => ({
      send: (text) => sendMessage(text),
      told: (fn) => closeListeners.push(fn),
      close: () => {
        root.unmount();
        host.remove();
      },
    }));
  },
};

// ---------------------------------------------------------------- throughput

let subject;
let tally;

function count(n) {
  const t = tally;
  if (t.count === 0) t.first = performance.now();
  t.count += n;
  if (t.count >= t.expected && !t.last) {
    t.last = performance.now();
    t.resolve();
  }
}

async function prepare(kind, url) {
  await teardown();
  const [name, batch] = kind.split(':');
  const adapter = ADAPTERS[name];
  if (!adapter) throw new Error(`peers page: unknown contender ${kind}`);
  subject = await within(10_000, adapter(url, {
    onMessage: () => count(1),
    onBatch: (items) => count(items.length),
    batch,
  }), `${kind} open`);
  return true;
}

async function burst(n, limitMs = 120_000) {
  const done = deferred();
  tally = { count: 0, expected: n, first: 0, last: 0, resolve: done.resolve };
  subject.send(`burst:${n}`);
  await within(limitMs, done.promise, `burst of ${n}`);
  return { count: tally.count, wallMs: tally.last - tally.first };
}

async function teardown() {
  const current = subject;
  subject = undefined;
  if (current) current.close();
  await sleep(20);
  return true;
}

// ---------------------------------------------------------------- silent path

/**
 * Every WebSocket the page creates during a detection run, with when the page's code called
 * close() on it and when its last message arrived.
 */
const tracked = [];
class TrackedWebSocket extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.createdAt = performance.now();
    this.lastMessageAt = 0;
    this.closeCalledAt = 0;
    this.addEventListener('message', () => (this.lastMessageAt = performance.now()));
    tracked.push(this);
  }
  close(...args) {
    if (!this.closeCalledAt) this.closeCalledAt = performance.now();
    return super.close(...args);
  }
}

/**
 * One run: open through the fault proxy with the heartbeat given (for the peers that have one),
 * let a marker arrive, silence the path, then watch for `boundMs`: when the peer called close()
 * (found), when the page was told, when a new socket was started.
 */
async function silentPathRun({ kind, url, tag, heartbeat, boundMs }) {
  tracked.length = 0;
  window.WebSocket = TrackedWebSocket;
  let connection;
  try {
    connection = await within(10_000, ADAPTERS[kind](url, { onMessage: () => {}, onBatch: () => {}, heartbeat }), `${kind} open`);
    const socket = tracked.at(-1);
    let toldAt = 0;
    connection.told(() => {
      if (!toldAt) toldAt = performance.now();
    });
    await sleep(heartbeat.interval + 50);
    const marker = deferred();
    socket.addEventListener('message', (event) => event.data === 'last' && marker.resolve());
    await window.benchServer({ action: 'send', tag, data: 'last' });
    await within(5_000, marker.promise, 'marker');
    await window.benchServer({ action: 'silence', tag, on: true });
    const lastInbound = socket.lastMessageAt;
    const end = performance.now() + boundMs;
    while (performance.now() < end && !(toldAt && tracked.length > 1)) await sleep(10);
    // Same url (the tag is unique per run): a leftover of an earlier run cannot count.
    const retried = tracked.find((ws) => ws !== socket && ws.url === socket.url && ws.createdAt > lastInbound);
    const since = (t) => (t ? t - lastInbound : null);
    return {
      foundMs: since(socket.closeCalledAt),
      toldMs: since(toldAt),
      retryMs: since(retried?.createdAt ?? 0),
      boundMs,
    };
  } finally {
    window.WebSocket = NativeWebSocket;
    connection?.close();
    await sleep(20);
  }
}

// ---------------------------------------------------------------- create/remove cycles

/**
 * `cycles` × (open, then close/unmount) of one contender, with the page's timers wrapped: the
 * timeouts and intervals still pending `settleMs` after the last cycle are what it left behind.
 */
async function cyclesRun({ kind, url, cycles, settleMs }) {
  const pending = new Set();
  const where = new Map();
  const saved = { setTimeout: window.setTimeout, clearTimeout: window.clearTimeout, setInterval: window.setInterval, clearInterval: window.clearInterval };
  window.setTimeout = function (callback, ms, ...rest) {
    const id = saved.setTimeout.call(window, (...a) => {
      pending.delete(id);
      if (typeof callback === 'function') callback(...a);
    }, ms, ...rest);
    pending.add(id);
    where.set(id, `${ms} ms ${new Error().stack?.split('\n').slice(2, 6).join(' | ')}`);
    return id;
  };
  window.clearTimeout = function (id) {
    pending.delete(id);
    return saved.clearTimeout.call(window, id);
  };
  window.setInterval = function (...args) {
    const id = saved.setInterval.apply(window, args);
    pending.add(id);
    return id;
  };
  window.clearInterval = function (id) {
    pending.delete(id);
    return saved.clearInterval.call(window, id);
  };
  try {
    for (let i = 0; i < cycles; i++) {
      const connection = await within(10_000, ADAPTERS[kind](url, { onMessage: () => {}, onBatch: () => {} }), `${kind} cycle open`);
      connection.close();
      await sleep(2);
    }
    await sleep(settleMs);
    return { pendingTimers: pending.size, pendingWhere: [...pending].slice(0, 3).map((id) => where.get(id) ?? 'interval') };
  } finally {
    Object.assign(window, saved);
    // What is left must not run into the next contender's figures.
    for (const id of pending) {
      saved.clearTimeout.call(window, id);
      saved.clearInterval.call(window, id);
    }
  }
}

window.peers = {
  ready: true,
  contenders: Object.keys(ADAPTERS),
  supportsBatch: 'batch' in document.createElement('heartbeat-socket'),
  prepare,
  burst,
  teardown,
  silentPathRun,
  cyclesRun,
};
