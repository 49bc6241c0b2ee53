import { defineConfig, type Plugin } from 'vite';

/**
 * Lets the standalone file be imported where there is no DOM (Node, a framework's server render):
 * Lit's browser build of ReactiveElement says `class … extends HTMLElement`, a ReferenceError
 * at load there (issue 9). Its own Node build extends `globalThis.HTMLElement ?? <shim>`; this
 * does the same with an empty class, without adding a shim or a global. The tag is defined only
 * where `customElements` exists (heartbeat-socket-define.ts). The build fails if Lit changes the
 * line, rather than quietly shipping a file that throws in Node.
 */
function reactiveElementWithoutDom(): Plugin {
  const pattern = /\bextends HTMLElement\s*\{/g;
  return {
    name: 'heartbeat-socket:reactive-element-without-dom',
    transform(code, id) {
      if (!/[\\/]@lit[\\/]reactive-element[\\/](development[\\/])?reactive-element\.js$/.test(id)) return undefined;
      const matches = code.match(pattern)?.length ?? 0;
      if (matches !== 1) throw new Error(`${id}: expected one "extends HTMLElement {", found ${matches}`);
      return { code: code.replace(pattern, 'extends (globalThis.HTMLElement ?? class {}) {'), map: null };
    },
  };
}

// `vite build`: dist/heartbeat-socket.js, one self-contained ES module with Lit inside, for a
// plain <script type="module"> on a page without a bundler. (tsc writes the bundler entry,
// dist/index.js, which keeps @lit/reactive-element external.)
export default defineConfig({
  plugins: [reactiveElementWithoutDom()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: 'src/standalone.ts',
      formats: ['es'],
      fileName: () => 'heartbeat-socket.js',
    },
    rolldownOptions: {
      // The sharing chunk (src/share/, loaded by import()) takes the core from this file, which may
      // export a few more names for it; 'strict' would split the core into a third file.
      preserveEntrySignatures: 'allow-extension',
      output: { minify: true, chunkFileNames: 'heartbeat-socket-[name].js' },
    },
  },
});
