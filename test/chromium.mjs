// How Chromium runs here, for the test runner and the benchmarks alike: Debian's build (no
// browser download is possible), as root, headless.
import fs from 'node:fs';

export const CHROMIUM_FLAGS = [
  '--no-sandbox', // we run as root
  '--headless=new',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  // Without these, Chromium's own background connections are refused by the closed network.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Tests and figures time heartbeats: a hidden or occluded page must not have its timers throttled.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export function chromiumPath() {
  const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((candidate) => candidate && fs.existsSync(candidate));
  if (!found) throw new Error('no Chromium found: install it (apt-get install -y chromium) or set CHROME_PATH');
  return found;
}
