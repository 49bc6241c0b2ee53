// `npm start`: the demo WebSocket server plus a Vite dev server for demo/index.html.
// The page reaches both the socket (/ws) and the fault controls (/control/…) at its own origin,
// through Vite's proxy, so the element's relative url="/ws" just works.
//
// Env: DEMO_WS_PORT (default 8787; a busy port falls back to a free one),
//      DEMO_PORT (default 5173; the next free port is used when busy).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { startDemoServer } from './server.mjs';

const HOST = '127.0.0.1';
const demoDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(demoDir, '..');

function portFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.warn(`${name}=${raw} is not a port; using ${fallback}`);
    return fallback;
  }
  return port;
}

const log = (line) => console.log(`[demo-server] ${line}`);

async function startSocketServer() {
  const port = portFromEnv('DEMO_WS_PORT', 8787);
  try {
    return await startDemoServer({ port, log });
  } catch (error) {
    if (error?.code !== 'EADDRINUSE' || port === 0) throw error;
    console.warn(`port ${port} is busy; the demo WebSocket server takes a free port instead`);
    return startDemoServer({ port: 0, log });
  }
}

const demo = await startSocketServer();
const target = `http://${HOST}:${demo.port}`;

// Vite adds its own SIGTERM listener that closes Vite and exits at once, before the demo server
// has stopped; the listeners added while it starts are swapped for our shutdown below.
const sigtermBefore = new Set(process.listeners('SIGTERM'));

let vite;
try {
  vite = await createServer({
    configFile: false, // the repo's vite.config.ts is the library build, not this page
    root: demoDir,
    logLevel: 'info',
    clearScreen: false,
    server: {
      host: HOST,
      port: portFromEnv('DEMO_PORT', 5173),
      strictPort: false,
      fs: { allow: [repoRoot] },
      proxy: {
        '/ws': {
          target,
          ws: true,
          configure(proxy) {
            // A dropped socket resets the proxied connection; that is the demo working, not an error.
            proxy.on('proxyReqWs', (_proxyReq, _req, socket) => {
              socket.on('error', () => {});
            });
          },
        },
        '/control': { target },
      },
    },
  });
  await vite.listen();
} catch (error) {
  await demo.stop();
  throw error;
}

const pageUrl = vite.resolvedUrls?.local[0] ?? `http://${HOST}:${vite.config.server.port}/`;
console.log('');
console.log(`  Demo:             ${pageUrl}`);
console.log(`  WebSocket server: ${demo.url} (proxied at ${new URL('/ws', pageUrl).href.replace(/^http/, 'ws')})`);
console.log(`  Fault controls:   curl -X POST ${new URL('/control/drop', pageUrl).href}`);
console.log('  Ctrl+C to stop.');
console.log('');

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the demo…`);
  const force = setTimeout(() => process.exit(1), 5000);
  force.unref();
  try {
    await Promise.allSettled([vite.close(), demo.stop()]);
  } finally {
    clearTimeout(force);
    process.exit(0);
  }
}

for (const listener of process.listeners('SIGTERM')) {
  if (!sigtermBefore.has(listener)) process.off('SIGTERM', listener);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
