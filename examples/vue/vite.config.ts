// Vite + @vitejs/plugin-vue: tell Vue's template compiler that <heartbeat-socket> is a custom
// element, so it does not try to resolve it as a Vue component.
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    vue({
      template: {
        compilerOptions: {
          isCustomElement: (tag) => tag === 'heartbeat-socket',
        },
      },
    }),
  ],
});
