// Bundled by test/frameworks/bundle-plugin.mjs (Svelte and the built package inside) and loaded
// by svelte.test.ts: mounts the example as an app would.
import { flushSync, mount as mountComponent, unmount } from 'svelte';
import LiveFeed from '../../examples/svelte/LiveFeed.svelte';

export function mount(container: HTMLElement, url: string, interval: number): () => void {
  const component = mountComponent(LiveFeed, { target: container, props: { url, interval } });
  flushSync();
  return () => void unmount(component);
}
