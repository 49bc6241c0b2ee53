import { defineConfig } from 'vite';

// `vite build`: dist/heartbeat-socket.js, one self-contained ES module with Lit inside, for a
// plain <script type="module"> on a page without a bundler. (tsc writes the bundler entry,
// dist/index.js, which keeps @lit/reactive-element external.)
export default defineConfig({
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
      output: { minify: true },
    },
  },
});
