// Bundled by test/frameworks/bundle-plugin.mjs (Vue and the built package inside, the SFC
// compiled with isCustomElement) and loaded by vue.test.ts: mounts the example as an app would.
import { createApp, h } from 'vue';
import LiveFeed from '../../examples/vue/LiveFeed.vue';

export function mount(container: HTMLElement, url: string, interval: number): () => void {
  const app = createApp({ render: () => h(LiveFeed, { url, interval }) });
  app.mount(container);
  return () => app.unmount();
}
