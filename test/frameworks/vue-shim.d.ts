// For the repo's own `tsc` (which does not read .vue files); vue-tsc checks the real component
// through examples/vue/tsconfig.json.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<{ url: string; interval?: number }>;
  export default component;
}
