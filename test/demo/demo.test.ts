import { expect, waitUntil } from '@open-wc/testing';
import type { HeartbeatSocketElement } from '../../src/heartbeat-socket-element.js';

// The demo pages, unchanged, on the test server: test/demo/plugins.mjs hosts demo/server.mjs on
// this origin (/ws and /control/…) as `npm start` does. One file, so no other test file presses
// the demo server's fault buttons at the same time.

type Status = HeartbeatSocketElement['status'];

function loadPage(src: string): Promise<HTMLIFrameElement> {
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe');
    frame.style.width = '1200px';
    frame.style.height = '900px';
    frame.src = src;
    frame.onload = () => resolve(frame);
    frame.onerror = () => reject(new Error(`could not load ${src}`));
    document.body.append(frame);
  });
}

async function control(action: string): Promise<void> {
  const response = await fetch(`/control/${action}`, { method: 'POST' });
  expect(((await response.json()) as { ok: boolean }).ok, `control ${action}`).to.equal(true);
}

/** A page in a frame, with the statuses its element went through and the errors it threw. */
class DemoPage {
  readonly statuses: Status[] = [];
  readonly closes: Array<{ code: number; willReconnect: boolean }> = [];
  readonly pageErrors: string[] = [];

  constructor(
    readonly frame: HTMLIFrameElement,
    readonly socket: HeartbeatSocketElement,
  ) {
    const win = frame.contentWindow!;
    win.addEventListener('error', (event) => this.pageErrors.push(String(event.message)));
    win.addEventListener('unhandledrejection', (event) => this.pageErrors.push(String(event.reason)));
    socket.addEventListener('status-change', (event) => this.statuses.push(event.detail.status));
    socket.addEventListener('close', (event) => this.closes.push(event.detail));
  }

  static async open(src: string): Promise<DemoPage> {
    const frame = await loadPage(src);
    const doc = frame.contentDocument!;
    const socket = doc.querySelector<HeartbeatSocketElement>('heartbeat-socket')!;
    await waitUntil(() => frame.contentWindow!.customElements.get('heartbeat-socket'), 'the element was never defined', { timeout: 10_000 });
    return new DemoPage(frame, socket);
  }

  get doc(): Document {
    return this.frame.contentDocument!;
  }

  $<T extends Element = HTMLElement>(selector: string): T {
    const element = this.doc.querySelector<T>(selector);
    if (!element) throw new Error(`no ${selector} on the page`);
    return element;
  }

  text(selector: string): string {
    return this.$(selector).textContent ?? '';
  }

  click(selector: string): void {
    this.$<HTMLElement>(selector).click();
  }

  fault(action: string): void {
    this.click(`.faults button[data-action="${action}"]`);
  }

  /** Types into an input and fires `change`, as a person leaving the field does. */
  type(selector: string, value: string): void {
    const input = this.$<HTMLInputElement>(selector);
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }

  /** Whether the slotted element is rendered (its per-status slot is shown). */
  shown(selector: string): boolean {
    return this.$(selector).checkVisibility();
  }

  /** Log rows of one kind, newest first. */
  log(kind: string): string[] {
    return [...this.doc.querySelectorAll(`#log li[data-kind="${kind}"] .text`)].map((cell) => cell.textContent ?? '');
  }

  async until(status: Status, message: string, timeout = 5000): Promise<void> {
    await waitUntil(() => this.socket.status === status, `${message} (status ${this.socket.status})`, { timeout });
  }

  /** Forgets what was seen so far: statuses, closes, and the page's own log (its Clear button). */
  mark(): void {
    this.statuses.length = 0;
    this.closes.length = 0;
    this.click('#btn-clear-log');
  }

  remove(): void {
    this.frame.remove();
  }
}

describe('demo/index.html: the buttons drive the element through its states', function () {
  this.timeout(20_000);
  let page: DemoPage;

  before(async () => {
    await control('reset');
    await control('ticker?on=1');
    page = await DemoPage.open('/demo/index.html');
    await page.until('open', 'the demo never connected', 10_000);
    // The demo's own controls make the heartbeat fast, so the faults show within a second.
    page.type('#interval', '300');
    page.type('#timeout', '400');
  });

  afterEach(async () => {
    await control('reset');
    if (page.socket.status !== 'open') {
      page.click('#btn-reconnect');
      await page.until('open', 'could not reopen after the test');
    }
    page.mark();
  });

  after(() => {
    expect(page.pageErrors).to.deep.equal([]);
    page.remove();
  });

  it('shows the status, live latency and a bar per answered ping', async () => {
    expect(page.text('#badge')).to.equal('open');
    expect(page.socket.interval).to.equal(300);
    await waitUntil(() => page.doc.querySelectorAll('#latency-bars span').length >= 2, 'no latency bars', { timeout: 3000 });
    expect(page.text('#latency')).to.match(/^(<1|\d+) ms$/);
    expect(page.text('#latency-stats')).to.match(/last \d+ pings · min .* · median .* · max .*/);
    expect(page.text('#last-heard')).to.match(/\d\.\d s ago/);
    expect(page.text('#socket-url')).to.match(/^ws:\/\/.*\/ws$/);
    expect(page.log('heartbeat').length).to.be.greaterThan(0);
  });

  it('drop: the socket ends with 1006, the element reconnects by itself', async () => {
    page.fault('drop');
    await page.until('reconnecting', 'drop did not lead to reconnecting');
    expect(page.text('#badge')).to.equal('reconnecting');
    expect(page.shown('.banner[slot="reconnecting"]')).to.equal(true);
    await page.until('open', 'never reopened after drop');
    expect(page.shown('.banner[slot="reconnecting"]')).to.equal(false);
    expect(page.closes[0]).to.include({ code: 1006, willReconnect: true });
    expect(page.statuses).to.include.members(['reconnecting', 'connecting', 'open']);
    await waitUntil(() => page.log('control').some((text) => text.startsWith('drop: terminated 1 socket')), 'no control row');
  });

  it('silence: the heartbeat declares the half-open line dead (4000, a red bar), then reconnects', async () => {
    page.type('#silence-seconds', '1');
    page.fault('silence');
    await waitUntil(() => page.closes.length > 0, 'silence was never detected', { timeout: 3000 });
    expect(page.closes[0]).to.include({ code: 4000, willReconnect: true });
    expect(page.doc.querySelectorAll('#latency-bars span.missed').length).to.be.greaterThan(0);
    expect(page.text('#latency-stats')).to.match(/\d+ unanswered/);
    await page.until('open', 'never reopened once the server talked again', 8000);
    // And the pings are answered again.
    await waitUntil(() => /^(<1|\d+) ms$/.test(page.text('#latency')), 'no answered ping after silence', { timeout: 3000 });
  });

  it('slow: pongs below the timeout show as taller bars, the line stays up', async () => {
    page.type('#timeout', '2000');
    page.type('#slow-ms', '500');
    page.fault('slow');
    await waitUntil(() => page.log('heartbeat').some((text) => parseInt(text, 10) >= 500), 'no slow pong seen', { timeout: 4000 });
    expect(page.closes).to.deep.equal([]);
    expect(page.text('#chart-max')).to.match(/^\d{3,} ms$/);
    expect(page.text('#server-state')).to.contain('pongs 500 ms late');
    // Let the pongs still on their way arrive before the short timeout is back.
    await control('reset');
    await new Promise((resolve) => setTimeout(resolve, 700));
    page.type('#timeout', '400');
  });

  it('refuse, then drop: retries fail with a countdown until the server accepts again', async () => {
    page.fault('refuse');
    await waitUntil(() => page.text('#server-state').includes('refusing'), 'server state never showed the refusal');
    page.fault('drop');
    await page.until('reconnecting', 'drop did not lead to reconnecting');
    // A retry while refused fails (503): at least two retries scheduled, the countdown shows.
    await waitUntil(() => page.log('retry').length >= 2, 'no second retry while refused', { timeout: 4000 });
    expect(page.text('#retry')).to.match(/^attempt \d+( in \d+\.\d s|: now|: connecting…)$/);
    expect(page.socket.status).to.not.equal('open');

    // Sent while down: queued, and flushed once open again.
    page.type('#send-text', 'sent while down');
    page.$<HTMLFormElement>('#send-form').requestSubmit();
    expect(page.log('you')[0]).to.match(/: queued$/);
    expect(page.text('#queued')).to.equal('1');

    page.fault('reset');
    await waitUntil(() => page.log('control').some((text) => text.startsWith('reset:')), 'reset was not acknowledged');
    page.click('#btn-reconnect');
    await page.until('open', 'reconnect() did not open after the refusal ended');
    expect(page.text('#retry')).to.equal('—');
    await waitUntil(() => page.log('message').some((text) => text.includes('sent while down')), 'the queued message was never echoed');
    expect(page.text('#queued')).to.equal('0');
  });

  it('restart: drops and refuses for 3 s, then the element is back by itself', async () => {
    page.fault('restart');
    await page.until('reconnecting', 'restart did not lead to reconnecting');
    await page.until('open', 'never back after restart', 10_000);
    expect(page.closes[0]).to.include({ code: 1006, willReconnect: true });
  });

  it('close1000: the element honours a normal closure (closed, no retry) until reconnect()', async () => {
    page.fault('close1000');
    await page.until('closed', 'close 1000 did not end in closed');
    expect(page.closes[0]).to.include({ code: 1000, willReconnect: false });
    expect(page.text('#badge')).to.equal('closed');
    expect(page.shown('.banner[slot="closed"]')).to.equal(true);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(page.socket.status, `no retry after 1000 (saw ${page.statuses.join(' → ')})`).to.equal('closed');
    page.click('#btn-reconnect');
    await page.until('open', 'reconnect() did not open');
    expect(page.shown('.banner[slot="closed"]')).to.equal(false);
  });

  it('close(): closed on purpose, sends are refused, reconnect() opens again', async () => {
    page.click('#btn-close');
    await page.until('closed', 'close() did not close');
    expect(page.closes[0]).to.include({ code: 1000, willReconnect: false });
    page.type('#send-text', 'while closed');
    page.$<HTMLFormElement>('#send-form').requestSubmit();
    expect(page.log('you')[0]).to.match(/: refused$/);
    expect(page.log('error')[0]).to.match(/^not-connected: /);
    page.click('#btn-reconnect');
    await page.until('open', 'reconnect() did not open');
  });

  it('ticker: pauses and resumes the server broadcast', async () => {
    page.fault('ticker');
    await waitUntil(() => page.text('#server-state').includes('ticker off'), 'ticker never paused');
    page.fault('ticker');
    await waitUntil(() => page.text('#server-state').includes('ticker on'), 'ticker never resumed');
  });

  it('shows message data as text, never as HTML', async () => {
    page.type('#send-text', '<img src=x onerror="window.injected=1">');
    page.$<HTMLFormElement>('#send-form').requestSubmit();
    await waitUntil(() => page.log('message').some((text) => text.includes('<img src=x')), 'no echo of the text');
    expect(page.doc.querySelector('#log img')).to.equal(null);
    expect((page.frame.contentWindow as Window & { injected?: number }).injected).to.equal(undefined);
  });
});

describe('demo/plain.html: no build step, status without script', function () {
  this.timeout(20_000);

  it('loads only dist/heartbeat-socket.js and inline script: no bundler, no npm names', async () => {
    const html = await (await fetch('/demo/plain.html')).text();
    const sources = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]*)"/g)]
      .map((match) => match[1])
      .filter((src) => !src!.startsWith('/__web-dev-server')); // the test server's own injection
    expect(sources).to.deep.equal(['../dist/heartbeat-socket.js']);
    expect(html).not.to.match(/\bimport\s*[({'"\w]/);
    expect(html).not.to.match(/<link[^>]+rel="(stylesheet|modulepreload)"/);
  });

  it('connects, and shows each status through its slot and CSS alone', async () => {
    await control('reset');
    const page = await DemoPage.open('/demo/plain.html');
    try {
      await page.until('open', 'the plain page never connected', 10_000);
      // The element shows only the span of its own status; CSS colours it by :state(open).
      expect(page.shown('[slot="open"]')).to.equal(true);
      for (const other of ['idle', 'connecting', 'reconnecting', 'closed', 'failed']) {
        expect(page.shown(`[slot="${other}"]`), other).to.equal(false);
      }
      const pill = page.$('[slot="open"]');
      expect(getComputedStyle(pill).backgroundColor).to.equal('rgb(31, 122, 69)');
      expect(getComputedStyle(page.$('.feed')).opacity).to.equal('1');

      // The inline script logs the server's messages as text.
      await waitUntil(() => page.text('#log').includes('"type":"welcome"'), 'no welcome message in the log');
      await waitUntil(() => /Heartbeat: \d+ ms round trip/.test(page.text('#latency')), 'no heartbeat shown', { timeout: 5000 });

      await control('drop');
      await page.until('reconnecting', 'drop did not show');
      expect(page.shown('[slot="reconnecting"]')).to.equal(true);
      expect(page.shown('[slot="open"]')).to.equal(false);
      expect(getComputedStyle(page.$('[slot="reconnecting"]')).backgroundColor).to.equal('rgb(192, 86, 33)');
      expect(getComputedStyle(page.$('.feed')).opacity).to.equal('0.5');
      await page.until('open', 'never reopened');
      expect(page.text('#log')).to.contain('status: reconnecting → connecting');

      page.socket.close();
      await page.until('closed', 'close() did not close');
      expect(page.shown('[slot="closed"]')).to.equal(true);
      expect(page.pageErrors).to.deep.equal([]);
    } finally {
      page.remove();
    }
  });
});
