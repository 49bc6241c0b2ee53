import { exampleSuite } from './frameworks.js';

// examples/vue/LiveFeed.vue with Vue 3, compiled with isCustomElement (no "failed to resolve
// component" warning): `:interval` sets the property, `@status-change` and `@message` listen.
exampleSuite('vue', 'Vue 3 example (examples/vue)');
