import { expect, waitUntil } from '@open-wc/testing';
import '../../src/heartbeat-socket-define.js';
import { elementFactory, settle } from '../helpers/element.js';
import { newTag, onOpen, openTimes, serverInfo, silence, stats, wsUrl, type ServerInfo } from '../helpers/server.js';

// Settings other than the defaults, against a real `ws` server (issue 8 §1a, §1b): the
// heartbeat keeps its promise when `timeout > interval`, and a small backoff cap is honoured.

/**
 * How late this page's timers fire while `work` runs: a 20 ms timer chain alongside it. The
 * allowance of a timing bound is taken from the same run, so a busy machine widens it by what
 * it actually cost, never by a guess.
 */
async function withTimerLateness<T>(work: () => Promise<T>): Promise<{ result: T; lateness: number }> {
  let lateness = 0;
  let running = true;
  let expected = performance.now() + 20;
  const tick = () => {
    if (!running) return;
    lateness = Math.max(lateness, performance.now() - expected);
    expected = performance.now() + 20;
    setTimeout(tick, 20);
  };
  setTimeout(tick, 20);
  try {
    const result = await work();
    return { result, lateness: Math.ceil(lateness) };
  } finally {
    running = false;
  }
}

describe('settings other than the defaults, against a real server', function () {
  this.timeout(30_000);
  let info: ServerInfo;
  const { make, removeAll } = elementFactory();

  before(async () => {
    info = await serverInfo();
  });
  afterEach(() => removeAll());

  it('interval 500, timeout 2000: a ping every ~500 ms after each pong, not every 2000 ms', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag), interval: '500', timeout: '2000' });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    const { lateness } = await withTimerLateness(() => settle(3300));
    const beats = log.filter((e) => e.type === 'heartbeat');
    const pings = (await stats(tag)).received.filter((m) => m === 'ping').length;
    const spacing = beats.slice(1).map((b, i) => b.at - beats[i]!.at);
    const maxLatency = Math.max(0, ...beats.map((b) => b.detail.latency));
    console.log(`interval 500 / timeout 2000: ${pings} pings in 3.3 s, pong-to-pong spacing ${spacing.join(', ')} ms (timer lateness ${lateness} ms, max latency ${maxLatency} ms)`);
    expect(pings).to.be.at.least(5);
    expect(beats.length).to.be.at.least(5);
    for (const gap of spacing) {
      expect(gap).to.be.at.least(500 - 2);
      // One ping's round trip and one timer's lateness on top of the interval; 25 ms for Date.now() granularity and event delivery.
      expect(gap).to.be.at.most(500 + maxLatency + lateness + 25);
    }
    expect(log.filter((e) => e.type === 'close')).to.deep.equal([]);
  });

  it('interval 300, timeout 900: a path blackholed after a pong is found within 1200 ms of that pong', async () => {
    const tag = newTag();
    const { el, log } = await make({ url: wsUrl(info, tag, 'proxy'), interval: '300', timeout: '900', 'reconnect-delay': '50' });
    await waitUntil(() => el.status === 'open', 'never opened', { timeout: 5000 });
    const { result: detection, lateness } = await withTimerLateness(async () => {
      await waitUntil(() => log.some((e) => e.type === 'heartbeat'), 'no pong', { timeout: 3000 });
      await silence(tag, true);
      const inbound = log.filter((e) => e.type === 'heartbeat' || e.type === 'message');
      const lastInbound = inbound.at(-1)!.at;
      await waitUntil(() => log.some((e) => e.type === 'close'), 'silent path never detected', { timeout: 5000 });
      return log.find((e) => e.type === 'close')!.at - lastInbound;
    });
    console.log(`interval 300 / timeout 900: blackholed path found ${detection} ms after the last pong (bound 1200 ms; timer lateness ${lateness} ms)`);
    expect(log.find((e) => e.type === 'close')!.detail.code).to.equal(4000);
    expect(detection).to.be.at.least(1200 - 5);
    // Two timers (the ping, then its deadline) may each fire late by what this run measured.
    expect(detection).to.be.at.most(1200 + 2 * lateness + 25);
  });

  it('reconnect-delay 1, reconnect-max-delay 20, a server that terminates every socket at once: every delay is at most 20 ms', async () => {
    const tag = newTag();
    await onOpen(tag, { mode: 'terminate' });
    const { el, log } = await make({ url: wsUrl(info, tag), interval: '0', 'reconnect-delay': '1', 'reconnect-max-delay': '20' });
    // The cycle has begun at the first retry. (Whether the page sees `open` before the server's
    // terminate lands is the engine's: Firefox sometimes reports only the close.)
    await waitUntil(() => log.some((e) => e.type === 'retry'), 'never retried', { timeout: 5000 });
    const windowMs = 3000;
    const { lateness } = await withTimerLateness(() => settle(windowMs));
    el.remove();
    const retries = log.filter((e) => e.type === 'retry');
    const delays = retries.map((e) => e.detail.delay as number);
    // What the element controls: each retry's new attempt starts `delay` ms after it is scheduled.
    // (How soon the engine then opens it is the engine's: Firefox delays repeat attempts to a host
    // that just failed, NOTES.md.)
    const waited = retries.slice(0, -1).map((retry) => log.find((e) => e.at >= retry.at && e.type === 'status-change' && e.detail.status === 'connecting')!.at - retry.at);
    const opens = await openTimes(tag);
    const s = await stats(tag);
    console.log(
      `cap 20 ms soak: ${opens.length} connections in ${windowMs} ms, retry delays min ${Math.min(...delays)} / max ${Math.max(...delays)} ms, ` +
        `waited at most ${Math.max(...waited)} ms (timer lateness ${lateness} ms), median gap between opens at the server ${median(opens.slice(1).map((t, i) => t - opens[i]!))} ms`,
    );
    expect(log.filter((e) => e.type === 'error' && e.detail.code === 'invalid-option')).to.deep.equal([]);
    // Enough retries to reach the cap (1, 2, 4, 8, 16, then 20); until issue 8 the cap was raised to 1000 ms.
    expect(delays.length).to.be.at.least(6);
    expect(Math.max(...delays)).to.be.at.most(20);
    expect(Math.min(...delays)).to.be.at.least(1);
    // Most attempts start on time; an outlier also carries a socket construction on a busy
    // machine (seen in Firefox under a 3-engine run: 212 ms with 142 ms of timer lateness), so
    // the maximum is only held below the old floor of the cap (500 ms), which is what the bug was.
    expect(median(waited)).to.be.at.most(20 + lateness + 5);
    expect(Math.max(...waited)).to.be.below(500);
    expect(s.maxConcurrent).to.equal(1);
  });
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
