// The framework examples (examples/react, vue, svelte) compiled and bundled like an app's bundler
// would (test/frameworks/bundle-plugin.mjs), mounted in Chromium against the real ws server.
// Each example renders the same feed: status and latency from the element's events, messages,
// and a form that calls the element's send() through the framework's ref.
import { expect, waitUntil } from '@open-wc/testing';
import type { HeartbeatSocketElement } from '../../src/heartbeat-socket-element.js';
import { newTag, send, serverInfo, stats, wsUrl } from '../helpers/server.js';

/** What each test app bundle exports: mount the example into `container`, return an unmount. */
interface ExampleApp {
  /** Angular's bootstrap is asynchronous: its mount resolves to the unmount. */
  mount(container: HTMLElement, url: string, interval: number): (() => void) | Promise<() => void>;
}

type Framework = 'react' | 'react-18' | 'lit-react' | 'lit-react-18' | 'vue' | 'svelte' | 'angular';

async function loadExample(framework: Framework): Promise<ExampleApp> {
  const url = `/__examples__/${framework}.js`;
  return (await import(/* @vite-ignore */ url)) as ExampleApp;
}

/** Mounts while recording console warnings (a framework's "unknown element" warning shows there). */
async function mountQuietly(app: ExampleApp, container: HTMLElement, url: string, interval: number) {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  try {
    return { unmount: await app.mount(container, url, interval), warnings };
  } finally {
    console.warn = warn;
  }
}

export function exampleSuite(framework: Framework, title: string): void {
  describe(title, function () {
    this.timeout(15_000);

    let container: HTMLElement;
    let unmount: (() => void) | undefined;

    beforeEach(() => {
      container = document.createElement('div');
      document.body.append(container);
    });

    afterEach(() => {
      unmount?.();
      unmount = undefined;
      container.remove();
    });

    it('sets properties, and receives status-change, message and heartbeat from a real server', async () => {
      const app = await loadExample(framework);
      const tag = newTag();
      const mounted = await mountQuietly(app, container, wsUrl(await serverInfo(), tag), 300);
      unmount = mounted.unmount;
      expect(mounted.warnings.filter((text) => text.includes('heartbeat-socket'))).to.deep.equal([]);

      const socket = container.querySelector<HeartbeatSocketElement>('heartbeat-socket');
      if (!socket) throw new Error('the example rendered no <heartbeat-socket>');
      // Set as a property, not a string attribute: the number arrives as a number.
      expect(socket.interval).to.equal(300);
      expect(socket.url).to.contain(tag);

      // The status-change listener updated the framework's state, which re-rendered.
      const status = () => container.querySelector('.status')!;
      await waitUntil(() => status().getAttribute('data-status') === 'open', `${framework} never showed "open"`, { timeout: 5000 });

      expect(await send(tag, `hello, ${framework}`)).to.equal(1);
      await waitUntil(
        () => container.querySelector('.messages')!.textContent!.includes(`hello, ${framework}`),
        `${framework} never rendered the message`,
      );

      // The 300 ms interval sends a ping; the heartbeat listener renders the pong's latency.
      await waitUntil(() => /· \d+ ms/.test(status().textContent!), 'no heartbeat latency rendered', { timeout: 3000 });

      // The framework's ref reaches the element's send().
      const input = container.querySelector<HTMLInputElement>('input[name=text]')!;
      input.value = `from ${framework}`;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      container.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
      await waitUntil(async () => (await stats(tag)).received.includes(`from ${framework}`), 'the server never got the send');
    });

    it('closes the socket when the component unmounts', async () => {
      const app = await loadExample(framework);
      const tag = newTag();
      unmount = await app.mount(container, wsUrl(await serverInfo(), tag), 25_000);
      await waitUntil(async () => (await stats(tag)).current === 1, 'never connected', { timeout: 5000 });
      unmount();
      unmount = undefined;
      await waitUntil(async () => (await stats(tag)).current === 0, 'socket outlived the component', { timeout: 5000 });
    });
  });
}
