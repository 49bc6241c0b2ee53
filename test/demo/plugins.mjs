// Test-runner plugins for the demo and the framework examples; add `...demoPlugins()` to the
// `plugins` of web-test-runner.config.mjs.
//
// - demo-server: hosts demo/server.mjs on the test server's own origin, as `npm start` does
//   through Vite's proxy: WebSockets on /ws and the fault controls on /control/…. So
//   /demo/index.html and /demo/plain.html run unchanged (url="/ws") inside the tests.
// - example-bundles: see test/frameworks/bundle-plugin.mjs.
import { startDemoServer } from '../../demo/server.mjs';
import { exampleBundlePlugin } from '../frameworks/bundle-plugin.mjs';

function demoServerPlugin() {
  /** @type {Awaited<ReturnType<typeof startDemoServer>> | undefined} */
  let demo;
  return {
    name: 'demo-server',
    async serverStart({ server }) {
      demo = await startDemoServer({ port: 0 });
      server.on('upgrade', (req, socket, head) => {
        // The test runner's own socket has its own path and listener; only /ws is the demo's.
        if (new URL(req.url ?? '/', 'http://localhost').pathname === '/ws') demo?.handleUpgrade(req, socket, head);
      });
    },
    async serverStop() {
      await demo?.stop();
    },
    serve(context) {
      if (!demo || !context.path.startsWith('/control/')) return undefined;
      const answer = demo.handleControl(context.method, new URL(context.url, 'http://localhost'));
      if (!answer) return undefined;
      // The serve hook always answers 200; the demo page reads `ok` from the body.
      return { body: JSON.stringify(answer.body), type: 'json', headers: { 'Cache-Control': 'no-store' } };
    },
  };
}

export function demoPlugins() {
  return [demoServerPlugin(), exampleBundlePlugin()];
}
