// Bundled by test/frameworks/bundle-plugin.mjs (React, react-dom and the built package inside)
// and loaded by react.test.ts: mounts the example component exactly as an app would.
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { LiveFeed } from '../../examples/react/LiveFeed.js';

export function mount(container: HTMLElement, url: string, interval: number): () => void {
  const root = createRoot(container);
  flushSync(() => root.render(<LiveFeed url={url} interval={interval} />));
  return () => root.unmount();
}
