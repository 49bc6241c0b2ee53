// For the repo's own `tsc` (which does not read .svelte files); svelte-check checks the real
// component through examples/svelte/tsconfig.json.
declare module '*.svelte' {
  import type { Component } from 'svelte';
  const component: Component<{ url: string; interval?: number }>;
  export default component;
}
