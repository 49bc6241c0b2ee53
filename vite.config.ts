import { defineConfig } from 'vite';

// `vite build`: dist/heartbeat-socket.js, one self-contained ES module with Lit inside, for a
// plain <script type="module"> on a page without a bundler. (tsc writes the bundler entry,
// dist/index.js, which keeps Lit external.)
export default defineConfig({
  resolve: {
    // The element uses only ReactiveElement and css, which `lit` re-exports from here; `lit`'s
    // own entry would also pull in lit-html for its side effects.
    alias: [{ find: /^lit$/, replacement: '@lit/reactive-element' }],
  },
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
