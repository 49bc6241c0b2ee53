// Bundled by test/frameworks/bundle-plugin.mjs (with React 19, and again with React 18) and loaded
// by lit-react.test.ts: mounts examples/lit-react, the @lit/react createComponent wrapper.
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { LiveFeed } from '../../examples/lit-react/LiveFeed.js';

export function mount(container: HTMLElement, url: string, interval: number): () => void {
  const root = createRoot(container);
  flushSync(() => root.render(<LiveFeed url={url} interval={interval} />));
  return () => root.unmount();
}
