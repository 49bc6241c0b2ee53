import { exampleSuite } from './frameworks.js';

// examples/svelte/LiveFeed.svelte with Svelte 5: values become properties, `onstatus-change`
// and `onmessage` attributes listen for "status-change" and "message".
exampleSuite('svelte', 'Svelte 5 example (examples/svelte)');
