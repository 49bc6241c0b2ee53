// A Vite-built app that only does `import 'heartbeat-socket'` (test/frameworks/csp-app, built and
// served by vite-app-plugin.mjs), framed under the strictest CSP: Trusted Types with no policy
// allowed, no inline script, default-src 'none'. Issue 9: a bundle with lit-html in it creates a
// "lit-html" policy at load and dies there.
import { expect, waitUntil } from '@open-wc/testing';
import { newTag, serverInfo, socketsNow, stats, wsUrl } from '../helpers/server.js';

interface CspAppWindow extends Window {
  violations?: Array<{ directive: string; blocked: string; sample: string }>;
  app?: { el: HTMLElement & { status: string }; statuses: string[] };
  trustedTypes?: { createPolicy(name: string, rules: object): unknown };
}

async function frameApp(url: string): Promise<{ frame: HTMLIFrameElement; win: CspAppWindow }> {
  const frame = document.createElement('iframe');
  frame.src = `/__csp-app__/index.html?url=${encodeURIComponent(url)}`;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  return { frame, win: frame.contentWindow as CspAppWindow };
}

describe('a Vite app bundle under a strict CSP (Trusted Types, no policy allowed)', function () {
  this.timeout(30_000); // the first request builds the app with Vite

  let frame: HTMLIFrameElement | undefined;
  afterEach(() => {
    frame?.remove();
    frame = undefined;
  });

  it('is served with the CSP: a Trusted Types policy cannot be created there, and the attempt is seen', async function () {
    const info = await serverInfo();
    const framed = await frameApp(wsUrl(info, newTag()));
    frame = framed.frame;
    const { win } = framed;
    expect(win.violations, 'the violation recorder did not run').to.be.an('array');
    // An engine without Trusted Types ignores the directive: nothing to prove there.
    if (!win.trustedTypes) this.skip();
    const before = win.violations!.length;
    expect(() => win.trustedTypes!.createPolicy('probe', {})).to.throw();
    await waitUntil(() => win.violations!.length > before, 'the policy refusal was not reported as a violation');
    expect(win.violations!.at(-1)!.directive).to.equal('trusted-types');
  });

  it('contains no lit-html, loads without a violation, and reaches open against a real server', async () => {
    const info = await serverInfo();
    const tag = newTag();
    const framed = await frameApp(wsUrl(info, tag));
    frame = framed.frame;
    const { win } = framed;
    // (The test server adds a module script of its own to every page, outside /__csp-app__/.)
    const scripts = [...win.document.querySelectorAll<HTMLScriptElement>('script[type="module"][src^="/__csp-app__/assets/"]')];
    expect(scripts.length, 'the built page has no bundle').to.equal(1);
    const bundle = await (await fetch(scripts[0].src)).text();
    expect(bundle.includes('customElements.define'), 'the bundle defines no element').to.equal(true);
    // lit-html registers itself in `litHtmlVersions` and names its Trusted Types policy "lit-html".
    expect(bundle.includes('litHtmlVersions'), 'the bundle carries lit-html').to.equal(false);
    expect(bundle.includes('lit-html'), 'the bundle names lit-html').to.equal(false);
    await waitUntil(() => win.app?.el.status === 'open', `never open (statuses: ${JSON.stringify(win.app?.statuses)})`, { timeout: 10_000 });
    expect(win.app!.statuses).to.deep.equal(['connecting', 'open']);
    await waitUntil(async () => socketsNow(await stats(tag)) === 1, 'the server never saw the socket');
    expect(win.violations).to.deep.equal([]);
  });
});
