import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import fs from 'node:fs';
import { defaultReporter } from '@web/test-runner';
import { browserLauncher } from './test/browsers.mjs';
import { faultServerPlugin } from './test/server/fault-server.mjs';
import { pageControlPlugin } from './test/server/page-control.mjs';
import { demoPlugins } from './test/demo/plugins.mjs';
import { viteAppPlugin } from './test/frameworks/vite-app-plugin.mjs';

const faultServer = faultServerPlugin();

// One engine per run (test/run-engines.mjs runs them one after another): chromium, firefox, webkit.
const engine = process.env.TEST_ENGINE ?? 'chromium';

// mock-socket's `main` is a UMD build; the browser needs its ES build.
const resolveMockSocket = {
  name: 'resolve-mock-socket',
  resolveImport({ source }) {
    return source === 'mock-socket' ? '/node_modules/mock-socket/dist/mock-socket.es.mjs' : undefined;
  },
};

/** CI reads a plain closing line: "N passed, N failed[, N skipped]". */
function summaryReporter() {
  let counts;
  const tally = (suite) => {
    for (const test of suite.tests ?? []) {
      if (test.skipped) counts.skipped++;
      else if (test.passed) counts.passed++;
      else counts.failed++;
    }
    for (const child of suite.suites ?? []) tally(child);
  };
  return {
    onTestRunFinished({ sessions }) {
      counts = { passed: 0, failed: 0, skipped: 0 };
      for (const session of sessions) {
        const before = counts.failed;
        if (session.testResults) tally(session.testResults);
        // A file that failed to load or threw outside a test has no failing test to count.
        if (!session.passed && counts.failed === before) counts.failed++;
      }
    },
    stop() {
      if (!counts) return;
      const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
      const line = `${counts.passed} passed, ${counts.failed} failed${skipped}`;
      // test/run-engines.mjs adds up the engines' counts from here.
      if (process.env.TEST_SUMMARY_FILE) fs.writeFileSync(process.env.TEST_SUMMARY_FILE, JSON.stringify({ engine, ...counts }));
      // The runner's own summary is drawn after reporters stop: print ours last, at exit.
      process.once('exit', () => process.stdout.write(`\n${line}\n`));
    },
  };
}


export default {
  files: ['test/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 2,
  testFramework: { config: { timeout: 20000 } },
  testsFinishTimeout: 300000,
  // A test file's page must load and start within this. WebKit spawns a MiniBrowser per file under
  // Xvfb, which on a busy 2-core machine took over the default 20 s; it bounds start-up, not any
  // figure a test asserts.
  testsStartTimeout: 60000,
  browsers: [browserLauncher(engine)],
  plugins: [
    resolveMockSocket,
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
    faultServer,
    pageControlPlugin({ faultServer }),
    ...demoPlugins(),
    viteAppPlugin(),
  ],
  reporters: [defaultReporter(), summaryReporter()],
};
