// Bundled by test/frameworks/bundle-plugin.mjs with React 18 (test/frameworks/react-18) in place of
// the repo's React 19, and loaded by react-18.test.ts: mounts examples/react-18 as an app would.
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { LiveFeed } from '../../examples/react-18/LiveFeed.js';

export function mount(container: HTMLElement, url: string, interval: number): () => void {
  const root = createRoot(container);
  flushSync(() => root.render(<LiveFeed url={url} interval={interval} />));
  return () => root.unmount();
}
