// `npm start`: the demo WebSocket server plus a Vite dev server for demo/index.html.
// The page reaches both the socket (/ws) and the fault controls (/control/…) at its own origin,
// through Vite's proxy, so the element's relative url="/ws" just works.
// demo/plain.html, the no-build page, loads the built dist/heartbeat-socket.js: it is served as
// is at /dist/, and built first when missing or older than src/.
//
// Env: DEMO_WS_PORT (default 8787; a busy port falls back to a free one),
//      DEMO_PORT (default 5173; the next free port is used when busy).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createServer } from 'vite';
import { startDemoServer } from './server.mjs';

const HOST = '127.0.0.1';
const demoDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(demoDir, '..');
const distDir = path.join(repoRoot, 'dist');
const standalone = path.join(distDir, 'heartbeat-socket.js');

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

/** Newest modification time (ms) of any file under `dir`. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds dist/heartbeat-socket.js (the repo's vite.config.ts) when missing or older than src/. */
async function ensureStandalone() {
  const built = fs.existsSync(standalone) ? fs.statSync(standalone).mtimeMs : 0;
  if (built > newestMtime(path.join(repoRoot, 'src'))) return;
  console.log('building dist/heartbeat-socket.js for the no-build page…');
  await build({ configFile: path.join(repoRoot, 'vite.config.ts'), root: repoRoot, logLevel: 'warn' });
}

const CONTENT_TYPES = { '.js': 'text/javascript; charset=utf-8', '.map': 'application/json; charset=utf-8' };

/** Serves dist/*.js and *.map untouched at /dist/, for plain.html's `../dist/heartbeat-socket.js`. */
function serveDist() {
  return {
    name: 'demo:serve-dist',
    configureServer(server) {
      server.middlewares.use('/dist', (req, res, next) => {
        const { pathname } = new URL(req.url ?? '/', 'http://localhost');
        const file = path.resolve(distDir, `.${decodeURIComponent(pathname)}`);
        const type = CONTENT_TYPES[path.extname(file)];
        if (!type || !file.startsWith(distDir + path.sep) || !fs.existsSync(file)) return next();
        res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
        fs.createReadStream(file).pipe(res);
      });
    },
  };
}

await ensureStandalone();
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
    plugins: [serveDist()],
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
console.log(`  No-build page:    ${new URL('plain.html', pageUrl).href}`);
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
