// Builds test/frameworks/csp-app with Vite, as an app of ours would be built (`import
// 'heartbeat-socket'` resolves through package.json's exports to dist/), and serves it under the
// strictest CSP a page can have while still loading its own bundle and talking to the test's
// WebSocket server:
//
//   GET /__csp-app__/index.html?url=ws://…     the built page, with the CSP header below
//   GET /__csp-app__/assets/…                   the bundle
//   GET /__csp-app__/record-violations.js       a classic script the page loads before the bundle
//
// Vite runs in-process once per test run, on the first request (a failed build is retried).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const appRoot = fileURLToPath(new URL('./csp-app/', import.meta.url));
const BASE = '/__csp-app__/';

/**
 * Nothing but the page's own scripts and its WebSocket: no inline script, no style element, and
 * Trusted Types with no policy allowed (a library that creates one, as lit-html does, throws).
 * The element's styles are constructed stylesheets (`adoptedStyleSheets`), which style-src
 * does not govern.
 */
export const STRICT_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  'connect-src ws://127.0.0.1:*',
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

async function buildApp() {
  const { build } = await import('vite');
  const output = await build({
    root: appRoot,
    base: BASE,
    configFile: false,
    logLevel: 'silent',
    build: { write: false, target: 'es2022', modulePreload: false, minify: true },
  });
  const files = new Map();
  for (const chunk of (Array.isArray(output) ? output : [output]).flatMap((result) => result.output)) {
    files.set(BASE + chunk.fileName, chunk.type === 'chunk' ? chunk.code : chunk.source);
  }
  return files;
}

export function viteAppPlugin() {
  let pending;
  return {
    name: 'vite-csp-app',
    async serve(context) {
      if (!context.path.startsWith(BASE)) return undefined;
      if (context.path === `${BASE}record-violations.js`) {
        return { body: await readFile(`${appRoot}record-violations.js`, 'utf8'), type: 'js' };
      }
      if (!pending) {
        pending = buildApp();
        pending.catch(() => (pending = undefined));
      }
      let files;
      try {
        files = await pending;
      } catch (error) {
        return { body: `Vite build of ${appRoot} failed: ${error?.message ?? error}`, type: 'text', status: 500 };
      }
      const body = files.get(context.path);
      if (body === undefined) return undefined;
      const type = context.path.endsWith('.html') ? 'html' : context.path.endsWith('.js') ? 'js' : 'text';
      const headers = { 'Cache-Control': 'no-store' };
      if (type === 'html') headers['Content-Security-Policy'] = STRICT_CSP;
      return { body: typeof body === 'string' ? body : Buffer.from(body), type, headers };
    },
  };
}
