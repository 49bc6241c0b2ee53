import { exampleSuite } from './frameworks.js';

// examples/react/LiveFeed.tsx with React 19: props become properties, `onstatus-change` and
// `onmessage` props become listeners for "status-change" and "message".
exampleSuite('react', 'React 19 example (examples/react)');
