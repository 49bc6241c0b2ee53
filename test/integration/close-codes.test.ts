import { expect, waitUntil } from '@open-wc/testing';
import '../../src/heartbeat-socket-define.js';
import { elementFactory, settle } from '../helpers/element.js';
import { engine } from '../helpers/engine.js';
import { close as closeSockets, newTag, onOpen, openTimes, serverInfo, stats, wsUrl, type ServerInfo } from '../helpers/server.js';

// The close-code policy against a real `ws` server (issue 8 §2, docs/behaviour.md "Close codes").
describe('close codes from a real server', function () {
  this.timeout(30_000);
  let info: ServerInfo;
  const { make, removeAll } = elementFactory();

  before(async () => {
    info = await serverInfo();
  });
  afterEach(() => removeAll());

  for (const code of [1008, 1003]) {
    it(`${code}: failed with a server-rejected error, never retried`, async () => {
      const tag = newTag();
      await onOpen(tag, { mode: 'close', code, reason: 'not like this' });
      const { el, log } = await make({ url: wsUrl(info, tag), 'reconnect-delay': '50' });
      await waitUntil(() => el.status === 'failed', 'never failed', { timeout: 5000 });
      const error = log.filter((e) => e.type === 'error').at(-1)!.detail;
      expect(error.code).to.equal('server-rejected');
      expect(error.data).to.deep.equal({ code, reason: 'not like this' });
      expect(log.filter((e) => e.type === 'close').at(-1)!.detail).to.include({ code, willReconnect: false });
      await settle(500); // ten base delays: a retry would have come by now
      expect((await stats(tag)).opened).to.equal(1);
      expect(log.filter((e) => e.type === 'retry')).to.deep.equal([]);
    });
  }

  it('fatal-close-codes names application codes; the list replaces the defaults', async () => {
    const tag = newTag();
    await onOpen(tag, { mode: 'close', code: 4403, reason: 'forbidden' });
    const { el } = await make({ url: wsUrl(info, tag), 'fatal-close-codes': '4403, 4404' });
    await waitUntil(() => el.status === 'failed', 'never failed', { timeout: 5000 });
    const other = newTag();
    await onOpen(other, { mode: 'close', code: 1008, reason: '' });
    const { el: lenient, log } = await make({ url: wsUrl(info, other), 'fatal-close-codes': '4403', 'reconnect-delay': '20', 'reconnect-max-delay': '40' });
    await waitUntil(() => log.filter((e) => e.type === 'retry').length >= 3, '1008 was not retried', { timeout: 5000 });
    expect(lenient.status).not.to.equal('failed');
  });

  it('4401: one retry at once with a fresh url from urlProvider (refresh: true); 4401 again → failed', async () => {
    const tag = newTag();
    await onOpen(tag, { mode: 'close', code: 4401, reason: 'token expired' });
    const asked: Array<{ attempt: number; refresh: boolean }> = [];
    const el = document.createElement('heartbeat-socket');
    const log: Array<{ type: string; detail: any; at: number }> = [];
    for (const type of ['open', 'close', 'error', 'retry']) el.addEventListener(type, (e) => log.push({ type, detail: (e as CustomEvent).detail, at: Date.now() }));
    el.urlProvider = (context) => {
      asked.push(context);
      return `${wsUrl(info, tag)}&token=t${asked.length}`;
    };
    document.body.append(el);
    try {
      await waitUntil(() => el.status === 'failed', 'never failed', { timeout: 5000 });
      expect(asked).to.deep.equal([
        { attempt: 0, refresh: false },
        { attempt: 1, refresh: true },
      ]);
      expect(log.filter((e) => e.type === 'retry').map((e) => e.detail.delay)).to.deep.equal([0]);
      expect(log.filter((e) => e.type === 'error').at(-1)!.detail.code).to.equal('server-rejected');
      expect((await stats(tag)).opened).to.equal(2);
    } finally {
      el.remove();
    }
  });

  for (const code of [1012, 1013]) {
    it(`${code} to a fleet: the retries spread up to the cap, not within half a base delay`, async () => {
      const tag = newTag();
      const fleet = 12;
      const made: Array<Awaited<ReturnType<typeof make>>> = [];
      for (let i = 0; i < fleet; i++) made.push(await make({ url: wsUrl(info, tag), interval: '0', 'reconnect-delay': '100', 'reconnect-max-delay': '2000' }));
      await waitUntil(() => made.every(({ el }) => el.status === 'open'), 'fleet never opened', { timeout: 5000 });
      const cutAt = Date.now();
      await closeSockets(tag, code, 'deploy');
      await waitUntil(
        () => made.every(({ el, log }) => el.status === 'open' && log.some((e) => e.type === 'retry')),
        'fleet never came back',
        { timeout: 8000 },
      );
      const delays = made.map(({ log }) => log.find((e) => e.type === 'retry')!.detail.delay as number);
      const seen = [...new Set(made.map(({ log }) => log.find((e) => e.type === 'close')!.detail.code as number))];
      const back = (await openTimes(tag)).slice(fleet).map((t) => t - cutAt);
      console.log(`${code} to a fleet of ${fleet} (${engine}): close codes seen ${seen.join(', ')}; retry delays ${[...delays].sort((a, b) => a - b).join(', ')} ms; back at the server after ${back.sort((a, b) => a - b).join(', ')} ms`);
      if (engine === 'webkit') {
        // WebKitGTK 2.50 fails the connection on a close frame with 1012 or 1013 and reports
        // 1006: the page cannot tell it from a plain loss, so the plain backoff applies.
        expect(seen).to.deep.equal([1006]);
        for (const delay of delays) expect(delay).to.be.within(50, 100);
        return;
      }
      expect(seen).to.deep.equal([code]);
      for (const delay of delays) expect(delay).to.be.within(50, 2000);
      // A plain loss draws from [50, 100]; twelve draws from [50, 2000] all at most 200 has odds of (150/1950)^12 ≈ 2e-14.
      expect(Math.max(...delays)).to.be.above(200);
      for (const { log } of made) expect(log.find((e) => e.type === 'close')!.detail).to.include({ code, willReconnect: true });
    });
  }
});
