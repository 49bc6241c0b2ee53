import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher, defaultReporter } from '@web/test-runner';
import { CHROMIUM_FLAGS, chromiumPath } from './test/chromium.mjs';
import { faultServerPlugin } from './test/server/fault-server.mjs';
import { pageControlPlugin } from './test/server/page-control.mjs';
import { demoPlugins } from './test/demo/plugins.mjs';

const faultServer = faultServerPlugin();

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
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromiumPath(),
        args: CHROMIUM_FLAGS,
      },
    }),
  ],
  plugins: [
    resolveMockSocket,
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
    faultServer,
    pageControlPlugin({ faultServer }),
    ...demoPlugins(),
  ],
  reporters: [defaultReporter(), summaryReporter()],
};
