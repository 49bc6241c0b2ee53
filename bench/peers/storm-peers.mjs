// Child process of the peers' reconnect storm (bench/figures/peers.mjs): N clients of one
// contender, with `ws` as their WebSocket, driven over IPC like bench/storm-clients.mjs.
//
//   → { cmd: 'connect', kind, url, count }   ← { type: 'connected', open }
//   → { cmd: 'close' }                       ← { type: 'closed' }, then exit
//
// Each library runs with its defaults, except that reconnecting is switched on where it is off
// by default. Bounded: the process exits by itself after two minutes or when the parent goes.
import WebSocket from 'ws';

// sockette, websocket-heartbeat-js and VueUse use the global WebSocket, as in a browser.
globalThis.WebSocket = WebSocket;

const clients = [];
const send = (message) => process.send?.(message);

/** Each factory returns { onFirstOpen(fn), close() } for one client. */
const FACTORIES = {
  async core() {
    const { HeartbeatConnection } = await import('../../dist/core/index.js');
    return (url) => {
      const connection = new HeartbeatConnection(
        { url, interval: 600_000, timeout: 0, connectTimeout: 10_000 },
        { WebSocket, window: null, document: null, isOnline: () => true },
      );
      connection.start();
      return { onOpen: (fn) => connection.addEventListener('open', fn), close: () => connection.close() };
    };
  },
  async 'reconnecting-websocket'() {
    const { default: RWS } = await import('reconnecting-websocket');
    // Its default first delay, 1000 + random × 4000 ms, is drawn once per page load (a module
    // constant). These clients share one module, so each draws its own, as separate pages would.
    return (url) => {
      const ws = new RWS(url, [], { WebSocket, minReconnectionDelay: 1000 + Math.random() * 4000 });
      return { onOpen: (fn) => ws.addEventListener('open', fn), close: () => ws.close(1000) };
    };
  },
  async partysocket() {
    const { WebSocket: PartySocketWs } = await import('partysocket');
    return (url) => {
      // partysocket forked reconnecting-websocket but made the first delay a fixed 3,000 ms.
      const ws = new PartySocketWs(url, [], { WebSocket });
      return { onOpen: (fn) => ws.addEventListener('open', fn), close: () => ws.close(1000) };
    };
  },
  async sockette() {
    const { default: sockette } = await import('sockette');
    return (url) => {
      const listeners = [];
      const ws = sockette(url, { onopen: () => listeners.forEach((fn) => fn()), onerror: () => {} });
      return { onOpen: (fn) => listeners.push(fn), close: () => ws.close(1000) };
    };
  },
  async 'websocket-heartbeat-js'() {
    const module = await import('websocket-heartbeat-js');
    // CommonJS with __esModule: from Node's ESM the default import is the exports object.
    const WebsocketHeartbeatJs = module.default.default ?? module.default;
    return (url) => {
      const ws = new WebsocketHeartbeatJs({ url });
      const listeners = [];
      ws.onopen = () => listeners.forEach((fn) => fn());
      return { onOpen: (fn) => listeners.push(fn), close: () => ws.close() };
    };
  },
  async vueuse() {
    // VueUse connects only where it sees a browser (`window` and `document` at import), and
    // Vue's DOM runtime asks the document for one element at load.
    globalThis.window ??= new EventTarget();
    globalThis.document ??= Object.assign(new EventTarget(), { createElement: () => ({}) });
    const { effectScope } = await import('vue');
    const { useWebSocket } = await import('@vueuse/core');
    return (url) => {
      const listeners = [];
      const scope = effectScope();
      scope.run(() => useWebSocket(url, { autoReconnect: true, onConnected: () => listeners.forEach((fn) => fn()) }));
      return { onOpen: (fn) => listeners.push(fn), close: () => scope.stop() };
    };
  },
};

async function connect({ kind, url, count }) {
  const make = await FACTORIES[kind]();
  let open = 0;
  return new Promise((resolve) => {
    const finish = () => resolve({ type: 'connected', open });
    const deadline = setTimeout(finish, 20_000);
    let i = 0;
    const slice = () => {
      for (const end = Math.min(i + 50, count); i < end; i++) {
        const client = make(url);
        let first = true;
        client.onOpen(() => {
          if (!first) return;
          first = false;
          if (++open === count) {
            clearTimeout(deadline);
            finish();
          }
        });
        clients.push(client);
      }
      if (i < count) setTimeout(slice, 5);
    };
    slice();
  });
}

process.on('message', async (message) => {
  if (message.cmd === 'connect') {
    try {
      send(await connect(message));
    } catch (error) {
      send({ type: 'connected', open: 0, error: String(error?.stack ?? error) });
    }
  } else if (message.cmd === 'close') {
    for (const client of clients) {
      try {
        client.close();
      } catch {
        // A client that is between sockets may refuse close(); the process exits anyway.
      }
    }
    clients.length = 0;
    send({ type: 'closed' });
    setTimeout(() => process.exit(0), 50);
  }
});

process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), 120_000).unref();
