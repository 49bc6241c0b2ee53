// In-page harness for `npm run bench`: loaded by bench/page.html next to the standalone
// dist/heartbeat-socket.js, driven from Node (bench/run.mjs) through page.evaluate. Node
// exposes `benchServer(payload)` (the fault server's `handle`) to the page.
import '/dist/heartbeat-socket.js';

const native = {
  setTimeout: window.setTimeout,
  clearTimeout: window.clearTimeout,
  setInterval: window.setInterval,
  clearInterval: window.clearInterval,
  requestAnimationFrame: window.requestAnimationFrame,
};

const sleep = (ms) => new Promise((resolve) => native.setTimeout.call(window, resolve, ms));

/** Rejects after `ms`: every wait in the page is bounded. */
function within(ms, promise, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = native.setTimeout.call(window, () => reject(new Error(`bench page: ${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => native.clearTimeout.call(window, timer));
}

const once = (target, type) => new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));

function openSocket(url) {
  const ws = new WebSocket(url);
  return within(10_000, new Promise((resolve, reject) => {
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`bench page: ${url} did not open`));
  }), 'socket open');
}

async function closeSocket(ws) {
  if (ws.readyState === WebSocket.CLOSED) return;
  const closed = once(ws, 'close');
  ws.close(1000);
  await within(10_000, closed, 'socket close');
}

function createElement(url, attributes = {}) {
  const el = document.createElement('heartbeat-socket');
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, String(value));
  el.setAttribute('url', url);
  return el;
}

async function openElement(url, attributes) {
  const el = createElement(url, attributes);
  const opened = once(el, 'open');
  document.body.append(el);
  await within(10_000, opened, 'element open');
  return el;
}

// ---------------------------------------------------------------- timer instrumentation
//
// The core looks `setTimeout` up on globalThis at each call, so wrapping the window's timers
// here sees every timer the element creates, clears or lets fire.

const timers = {
  installed: false,
  created: 0,
  cleared: 0,
  fired: 0,
  intervals: 0,
  /** requestAnimationFrame calls (batch="frame" asks for one per batch, never per message). */
  frames: 0,
  /** id → { ms, stack } for timeouts not yet fired or cleared. */
  pending: new Map(),
};

function installTimers() {
  if (timers.installed) return;
  timers.installed = true;
  window.setTimeout = function (callback, ms, ...args) {
    let id;
    const wrapped =
      typeof callback === 'function'
        ? (...a) => {
            timers.fired++;
            timers.pending.delete(id);
            return callback(...a);
          }
        : callback;
    id = native.setTimeout.call(window, wrapped, ms, ...args);
    timers.created++;
    timers.pending.set(id, { ms, stack: new Error().stack?.split('\n').slice(2, 5).join(' | ') });
    return id;
  };
  window.clearTimeout = function (id) {
    timers.cleared++;
    timers.pending.delete(id);
    return native.clearTimeout.call(window, id);
  };
  window.setInterval = function (...args) {
    timers.intervals++;
    return native.setInterval.apply(window, args);
  };
  window.clearInterval = function (id) {
    return native.clearInterval.call(window, id);
  };
  window.requestAnimationFrame = function (callback) {
    timers.frames++;
    return native.requestAnimationFrame.call(window, callback);
  };
}

function uninstallTimers() {
  Object.assign(window, native);
  timers.installed = false;
}

function timerCounts() {
  return {
    created: timers.created,
    cleared: timers.cleared,
    fired: timers.fired,
    intervals: timers.intervals,
    frames: timers.frames,
    pending: timers.pending.size,
    pendingTimers: [...timers.pending.values()].slice(0, 5),
  };
}

function resetTimerCounts() {
  timers.created = timers.cleared = timers.fired = timers.intervals = timers.frames = 0;
  timers.pending.clear();
}

// ---------------------------------------------------------------- throughput

/** The connection under test: `raw`, `floor` or `element`, opened and ready for a burst. */
let subject;
let tally;

function tick() {
  const t = tally;
  if (++t.count === 1) t.first = performance.now();
  if (t.count === t.expected) {
    t.last = performance.now();
    t.resolve();
  }
}

/** An open element as the subject of a burst; closing removes it and waits for its `close`. */
function elementSubject(kind, el) {
  return {
    kind,
    element: el,
    send: (text) => el.send(text),
    close: async () => {
      const closed = once(el, 'close');
      el.remove();
      await within(10_000, closed, 'element close');
    },
  };
}

async function prepare(kind, url, attributes = {}) {
  await teardown();
  if (kind === 'raw') {
    const ws = await openSocket(url);
    // The bare minimum: the handler a page would write itself.
    ws.onmessage = (event) => tick(event.data);
    subject = { kind, send: (text) => ws.send(text), close: () => closeSocket(ws) };
  } else if (kind === 'floor') {
    // The least the contract allows: one non-bubbling CustomEvent per message on a connected
    // element, with the listener reading `detail.data`.
    const ws = await openSocket(url);
    const target = document.createElement('div');
    document.body.append(target);
    target.addEventListener('message', (event) => tick(event.detail.data));
    ws.onmessage = (event) => target.dispatchEvent(new CustomEvent('message', { detail: { data: event.data } }));
    subject = {
      kind,
      send: (text) => ws.send(text),
      close: async () => {
        await closeSocket(ws);
        target.remove();
      },
    };
  } else if (kind === 'batch-floor') {
    // The least any batching can cost: a bare WebSocket whose `onmessage` pushes the data and asks
    // for one animation frame per batch, and one listener call per frame visiting every item.
    const ws = await openSocket(url);
    let items = [];
    const flush = () => {
      const batch = items;
      items = [];
      for (let i = 0; i < batch.length; i++) tick(batch[i]);
    };
    ws.onmessage = (event) => {
      if (items.push(event.data) === 1) requestAnimationFrame(flush);
    };
    subject = { kind, send: (text) => ws.send(text), close: () => closeSocket(ws) };
  } else if (kind === 'element') {
    const el = await openElement(url, attributes);
    el.addEventListener('message', (event) => tick(event.detail.data));
    subject = elementSubject(kind, el);
  } else if (kind === 'batch') {
    // batch="frame": one `messages` event per frame; the listener visits every item, as a UI would.
    const el = await openElement(url, { ...attributes, batch: 'frame' });
    el.addEventListener('messages', (event) => {
      const items = event.detail.data;
      for (let i = 0; i < items.length; i++) tick(items[i]);
    });
    subject = elementSubject(kind, el);
  } else throw new Error(`unknown kind ${kind}`);
  return true;
}

/** Asks the server for `count` messages; resolves when the last one was handled. */
async function burst(count, limitMs = 120_000) {
  let resolve;
  const done = new Promise((r) => (resolve = r));
  tally = { count: 0, expected: count, first: 0, last: 0, resolve };
  subject.send(`burst:${count}`);
  await within(limitMs, done, `burst of ${count}`);
  return { count: tally.count, first: tally.first, last: tally.last, wallMs: tally.last - tally.first };
}

async function teardown() {
  const current = subject;
  subject = undefined;
  if (current) await current.close();
  return true;
}

// ---------------------------------------------------------------- detection

/**
 * One silent-path run: open through the fault server's proxy, note the last inbound message
 * (any message on the socket, pongs included), silence the path, and time the `close`.
 */
async function detectionRun({ url, tag, interval, timeout }) {
  const el = await openElement(url, { interval, timeout, 'reconnect-delay': 60_000 });
  try {
    const socket = el.connection.socket;
    let lastInbound = 0;
    let inboundAfterMarker = 0;
    let markerAt = 0;
    socket.addEventListener('message', (event) => {
      lastInbound = performance.now();
      if (markerAt) inboundAfterMarker++;
      else if (event.data === 'last') markerAt = lastInbound;
    });
    // Let a heartbeat round or two happen first, as on a real connection.
    await sleep(interval + 50);
    const marker = new Promise((resolve) => {
      socket.addEventListener('message', (event) => event.data === 'last' && resolve(), { once: false });
    });
    const closed = new Promise((resolve) =>
      el.addEventListener('close', (event) => resolve({ at: performance.now(), detail: event.detail }), { once: true }),
    );
    await window.benchServer({ action: 'send', tag, data: 'last' });
    await within(5_000, marker, 'marker message');
    await window.benchServer({ action: 'silence', tag, on: true });
    const silencedAt = performance.now();
    const close = await within(10 * (interval + timeout) + 5_000, closed, 'heartbeat close');
    return {
      detectionMs: close.at - lastInbound,
      silenceLagMs: silencedAt - lastInbound,
      inboundAfterMarker,
      code: close.detail.code,
      reason: close.detail.reason,
      willReconnect: close.detail.willReconnect,
    };
  } finally {
    el.remove();
    await sleep(0);
  }
}

// ---------------------------------------------------------------- recovery

/**
 * Times from `new WebSocket` to `open` of `count` sequential handshakes, spaced out: Chromium
 * holds a new handshake to an endpoint for about 10 ms after the previous one ended.
 */
async function handshakes(url, count) {
  const times = [];
  for (let i = 0; i < count; i++) {
    await sleep(30);
    const start = performance.now();
    const ws = await openSocket(url);
    times.push(performance.now() - start);
    await closeSocket(ws);
  }
  return times;
}

/** Lateness of a raw `setTimeout(ms)` on this page: what the browser adds to any delay. */
async function timerLateness(ms, count) {
  const late = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await new Promise((resolve) => native.setTimeout.call(window, resolve, ms));
    late.push(performance.now() - start - ms);
  }
  return late;
}

/**
 * A raw retry, the ideal the element is held to: `setTimeout(connect, delay)` then a handshake,
 * timed from scheduling to `open`.
 */
async function idealRetry(url, delay) {
  const start = performance.now();
  const ws = await within(delay + 10_000, new Promise((resolve, reject) => {
    native.setTimeout.call(window, () => {
      const socket = new WebSocket(url);
      socket.onopen = () => resolve(socket);
      socket.onerror = () => reject(new Error('ideal retry failed'));
    }, delay);
  }), 'ideal retry');
  const ms = performance.now() - start;
  await closeSocket(ws);
  return ms;
}

/**
 * One refused-then-accepted run: the server refuses upgrades (503) and drops the socket; after
 * `allowOnAttempt - 1` refused retries, retry `allowOnAttempt` is announced with its delay, and
 * `allowAt` × that delay later the server accepts again. Recovery = `open` − the moment the page
 * asked the server to accept (the server applies it a little later: this only errs long).
 */
async function recoveryRun({ url, tag, reconnectDelay, allowOnAttempt, allowAt = 0 }) {
  const el = await openElement(url, { interval: 600_000, 'reconnect-delay': reconnectDelay });
  try {
    let retries = 0;
    let announced;
    let acceptAt = 0;
    let connectingAt = 0;
    const accept = () => {
      acceptAt = performance.now();
      window.benchServer({ action: 'refuse', tag, on: false });
    };
    el.addEventListener('status-change', (event) => {
      if (announced && event.detail.status === 'connecting') connectingAt = performance.now();
    });
    const opened = new Promise((resolve) => {
      el.addEventListener('retry', (event) => {
        retries++;
        if (event.detail.attempt !== allowOnAttempt || announced) return;
        announced = { at: performance.now(), delay: event.detail.delay };
        if (allowAt > 0) native.setTimeout.call(window, accept, allowAt * event.detail.delay);
        else accept();
      });
      el.addEventListener('open', () => resolve(performance.now()), { once: true });
    });
    await window.benchServer({ action: 'refuse', tag, on: true });
    await window.benchServer({ action: 'drop', tag });
    const openAt = await within(reconnectDelay * 2 ** (allowOnAttempt + 1) + 10_000, opened, 'recovery');
    return {
      delay: announced.delay,
      recoveryMs: openAt - acceptAt,
      /** From the announcement to the attempt (the element's `connecting`): the delay as served. */
      waitMs: connectingAt - announced.at,
      /** From the attempt to `open`. */
      connectMs: openAt - connectingAt,
      retries,
    };
  } finally {
    el.remove();
    await sleep(0);
  }
}

// ---------------------------------------------------------------- memory

/** `cycles` × (create, connect, wait for open, remove, wait for close) of the element. */
async function elementCycles(url, cycles) {
  for (let i = 0; i < cycles; i++) {
    const el = createElement(url, { interval: 1_000, timeout: 1_000 });
    const opened = once(el, 'open');
    document.body.append(el);
    await within(10_000, opened, `cycle ${i} open`);
    const closed = once(el, 'close');
    el.remove();
    await within(10_000, closed, `cycle ${i} close`);
  }
  return true;
}

/** The same cycles with a bare WebSocket: what the browser itself keeps per socket. */
async function rawCycles(url, cycles) {
  for (let i = 0; i < cycles; i++) {
    const ws = await openSocket(url);
    await closeSocket(ws);
  }
  return true;
}

window.bench = {
  ready: true,
  sleep,
  installTimers,
  uninstallTimers,
  timerCounts,
  resetTimerCounts,
  prepare,
  burst,
  teardown,
  detectionRun,
  handshakes,
  idealRetry,
  timerLateness,
  recoveryRun,
  elementCycles,
  rawCycles,
  elementCount: () => document.querySelectorAll('heartbeat-socket').length,
};
