import { expect, waitUntil } from '@open-wc/testing';
import { newTag, serverInfo, stats, wsUrl } from '../helpers/server.js';

// dist/heartbeat-socket.js in a plain page: no bundler, no import map, one <script type=module>.

type PageWindow = Window & {
  pageErrors: string[];
  events: Array<{ type: string; detail: any }>;
  loaded?: boolean;
};

function loadPage(src: string): Promise<HTMLIFrameElement> {
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe');
    frame.src = src;
    frame.onload = () => resolve(frame);
    frame.onerror = () => reject(new Error(`could not load ${src}`));
    document.body.append(frame);
  });
}

describe('dist/heartbeat-socket.js on a plain page', function () {
  this.timeout(20_000);

  it('is one self-contained module: no bare imports left', async () => {
    const text = await (await fetch('/dist/heartbeat-socket.js')).text();
    // The test server rewrites bare imports to /node_modules/ paths: a self-contained file has none.
    expect(text).not.to.match(/\/node_modules\//);
    expect(text).not.to.match(/from\s*["'](lit|@lit)/);
    expect(text).to.contain('heartbeat-socket');
  });

  it('defines the tag, survives a second import, connects and talks to a real server', async () => {
    const info = await serverInfo();
    const tag = newTag();
    const frame = await loadPage(`/test/fixtures/plain-page.html?ws=${encodeURIComponent(wsUrl(info, tag))}`);
    const win = frame.contentWindow as PageWindow;
    const el = win.document.getElementById('socket') as HTMLElement & { status: string; send(d: unknown): boolean };
    await waitUntil(() => el.getAttribute('status') === 'open', 'plain page never opened', { timeout: 5000 });
    expect(win.customElements.get('heartbeat-socket')).to.be.a('function');
    expect(el.send('from the plain page')).to.equal(true);
    await waitUntil(() => win.events.some((e) => e.type === 'message'), 'no echo');
    expect(win.events.find((e) => e.type === 'message')!.detail).to.deep.equal({ data: 'from the plain page' });
    await waitUntil(() => win.events.some((e) => e.type === 'heartbeat'), 'no heartbeat', { timeout: 3000 });
    expect(win.pageErrors).to.deep.equal([]);
    expect((await stats(tag)).received).to.include('from the plain page');
    frame.remove();
    await waitUntil(async () => (await stats(tag)).current === 0, 'socket outlived its page', { timeout: 5000 });
  });

  it('does not throw in a page that already defined the tag', async () => {
    const frame = await loadPage('/test/fixtures/predefined-page.html');
    const win = frame.contentWindow as PageWindow;
    await waitUntil(() => win.loaded === true, 'page never finished loading');
    expect(win.pageErrors).to.deep.equal([]);
    frame.remove();
  });
});
