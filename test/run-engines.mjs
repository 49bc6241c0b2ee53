// `npm test` after the build: the Node tests of the packed package (test/node, node:test), then
// the browser suite once per engine, one engine after another (the machine has 2 cores), then one
// combined closing line for CI: "N passed, N failed[, N skipped]".
//
//   node test/run-engines.mjs                          node, then every engine
//   TEST_ENGINES=firefox,webkit node test/run-engines.mjs
//   node test/run-engines.mjs --files test/core/connection.test.ts   (arguments go to web-test-runner)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINES } from './browsers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const runnerArgs = process.argv.slice(2);
const PARTS = ['node', ...ENGINES];
const engines = (process.env.TEST_ENGINES ?? PARTS.join(','))
  .split(',')
  .map((name) => name.trim())
  .filter(Boolean);
for (const name of engines) {
  if (!PARTS.includes(name)) {
    console.error(`TEST_ENGINES: unknown part ${JSON.stringify(name)} (one of ${PARTS.join(', ')})`);
    process.exit(2);
  }
}

const hasXvfbRun = () => spawnSync('sh', ['-c', 'command -v xvfb-run'], { stdio: 'ignore' }).status === 0;

function runEngine(engine) {
  const summaryFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hbs-summary-')), `${engine}.json`);
  const wtr = [path.join(root, 'node_modules/@web/test-runner/dist/bin.js'), ...runnerArgs];
  const nodeTests = [
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${path.join(root, 'test/node/summary-reporter.mjs')}`,
    `--test-reporter-destination=${summaryFile}`,
    path.join(root, 'test/node/package.test.mjs'),
  ];
  // WebKitGTK has no headless mode: it gets a virtual X display of its own (unless one is given).
  const [command, args] =
    engine === 'node'
      ? [process.execPath, nodeTests]
      : engine === 'webkit' && !process.env.DISPLAY
      ? hasXvfbRun()
        ? ['xvfb-run', ['-a', '-s', '-screen 0 1280x1024x24', process.execPath, ...wtr]]
        : [null, []]
      : [process.execPath, wtr];
  const started = Date.now();
  if (!command) {
    console.error('webkit: needs an X display; install xvfb (apt-get install -y xvfb)');
    return Promise.resolve({ engine, passed: 0, failed: 1, skipped: 0, seconds: 0 });
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, TEST_ENGINE: engine, TEST_SUMMARY_FILE: summaryFile },
    });
    child.on('exit', (code, signal) => {
      const seconds = Math.round((Date.now() - started) / 1000);
      let counts;
      try {
        counts = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
      } catch {
        // The runner died before its reporter could count: that is one failure, not a pass.
        counts = { passed: 0, failed: 0, skipped: 0 };
      }
      fs.rmSync(path.dirname(summaryFile), { recursive: true, force: true });
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
      resolve({ engine, passed: counts.passed, failed: counts.failed, skipped: counts.skipped, seconds, exit: code ?? signal });
    });
  });
}

const line = ({ passed, failed, skipped }) => `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;

// React 18 and Angular 21 live in fixture packages of their own (the repo has React 19 and no
// Angular; the node part type-checks the docs' Angular snippet against it): install each once.
for (const fixture of ['react-18', 'angular']) {
  const dir = path.join(root, 'test/frameworks', fixture);
  if (fs.existsSync(path.join(dir, 'node_modules/.package-lock.json'))) continue;
  console.log(`== npm ci in test/frameworks/${fixture}`);
  const installed = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  if (installed.status !== 0) console.error(`npm ci in test/frameworks/${fixture} failed: its framework tests will fail`);
}

// Angular's compiler takes seconds (tens on a busy machine): compile the Angular test app once,
// before the browsers start, for every engine (test/frameworks/bundle-plugin.mjs serves it).
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hbs-run-'));
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));
if (engines.some((name) => ENGINES.includes(name)) && !process.env.ANGULAR_BUNDLE) {
  const bundleFile = path.join(scratch, 'angular.js');
  const started = Date.now();
  const compiled = spawnSync(process.execPath, [path.join(root, 'test/frameworks/angular-compile.mjs')], { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  if (compiled.status === 0) {
    fs.writeFileSync(bundleFile, compiled.stdout);
    process.env.ANGULAR_BUNDLE = bundleFile;
    console.log(`== Angular test app compiled in ${Math.round((Date.now() - started) / 1000)} s`);
  } else {
    console.error(`Angular test app did not compile (its tests will fail):\n${compiled.stderr}`);
  }
}

const results = [];
for (const engine of engines) {
  console.log(`\n== ${engine}`);
  results.push(await runEngine(engine));
}

const total = { passed: 0, failed: 0, skipped: 0 };
console.log('');
for (const result of results) {
  for (const key of Object.keys(total)) total[key] += result[key];
  console.log(`${result.engine}: ${line(result)} (${result.seconds} s)`);
}
console.log(line(total));
process.exitCode = total.failed > 0 ? 1 : 0;
