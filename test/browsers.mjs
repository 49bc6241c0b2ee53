// The three engines the suite runs in, as they run here: Debian's builds (no test tool can
// download a browser on this network), as root, without a display of their own. One engine per
// test-runner run (TEST_ENGINE), one run after another: the machine has 2 cores.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { chromeLauncher } from '@web/test-runner';
import { CHROMIUM_FLAGS, chromiumPath } from './chromium.mjs';

export const ENGINES = ['chromium', 'firefox', 'webkit'];

function firstExisting(what, install, candidates) {
  const found = candidates.find((candidate) => candidate && fs.existsSync(candidate));
  if (!found) throw new Error(`no ${what} found: install it (apt-get install -y ${install})`);
  return found;
}

export function firefoxPath() {
  return firstExisting('Firefox', 'firefox-esr', [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox']);
}

export function miniBrowserPath() {
  return firstExisting('WebKit MiniBrowser', 'webkit2gtk-driver', [
    process.env.MINIBROWSER_PATH,
    '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
    '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
    '/usr/libexec/webkit2gtk-4.1/MiniBrowser',
  ]);
}

// Without these, Firefox clamps a background tab's timers to 1 s (and budgets them), even
// headless: the suite's second page and parallel files time heartbeats of a few hundred ms.
export const FIREFOX_PREFS = {
  'dom.min_background_timeout_value': 0,
  'dom.min_background_timeout_value_without_budget_throttling': 0,
  'dom.timeout.enable_budget_timer_throttling': false,
  'dom.timeout.background_throttling_max_budget': -1,
  'dom.timeout.throttling_delay': 0,
  'dom.min_tracking_background_timeout_value': 0,
  'dom.min_tracking_timeout_value': 0,
  // The closed network here: no update checks, telemetry or captive-portal probes.
  'app.update.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
};

/**
 * WebKit (WebKitGTK's MiniBrowser): no headless mode and no puppeteer. Each test file gets its own
 * MiniBrowser process, opened at the file's test page; the page reports to the runner by itself.
 * Needs an X display: the test script runs this engine under xvfb-run.
 */
export function miniBrowserLauncher({ executablePath = miniBrowserPath() } = {}) {
  const sessions = new Map();
  const stopProcess = (child) =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return {
    name: 'WebKit',
    type: 'minibrowser',
    async startSession(sessionId, url) {
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hbs-webkit-'));
      const child = spawn(executablePath, ['--private', url], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, XDG_CACHE_HOME: profile, XDG_DATA_HOME: profile, WEBKIT_DISABLE_COMPOSITING_MODE: '1' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr = (stderr + chunk).slice(-4000);
      });
      child.once('exit', (code, signal) => {
        const session = sessions.get(sessionId);
        if (session && !session.stopping) console.error(`MiniBrowser for ${url} exited (${code ?? signal}): ${stderr}`);
      });
      sessions.set(sessionId, { child, url, profile, stopping: false });
    },
    isActive(sessionId) {
      return sessions.has(sessionId);
    },
    getBrowserUrl(sessionId) {
      return sessions.get(sessionId)?.url;
    },
    async startDebugSession() {
      throw new Error('the WebKit launcher has no debug mode');
    },
    async stopSession(sessionId) {
      const session = sessions.get(sessionId);
      if (!session) throw new Error(`No page for session ${sessionId}`);
      session.stopping = true;
      sessions.delete(sessionId);
      await stopProcess(session.child);
      fs.rmSync(session.profile, { recursive: true, force: true });
      return {};
    },
    async stop() {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(
        all.map(async (session) => {
          session.stopping = true;
          await stopProcess(session.child);
          fs.rmSync(session.profile, { recursive: true, force: true });
        }),
      );
    },
  };
}

export function browserLauncher(engine) {
  switch (engine) {
    case 'chromium':
      return chromeLauncher({ launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_FLAGS } });
    case 'firefox':
      return chromeLauncher({
        puppeteer,
        launchOptions: { browser: 'firefox', executablePath: firefoxPath(), headless: true, extraPrefsFirefox: FIREFOX_PREFS },
      });
    case 'webkit':
      return miniBrowserLauncher();
    default:
      throw new Error(`unknown engine ${JSON.stringify(engine)}: one of ${ENGINES.join(', ')}`);
  }
}
