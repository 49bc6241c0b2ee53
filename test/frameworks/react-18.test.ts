import { exampleSuite } from './frameworks.js';

// examples/react-18/LiveFeed.tsx with React 18: settings by attribute name, listeners through a
// ref in useLayoutEffect (React 18 neither sets properties nor listens to a custom element).
exampleSuite('react-18', 'React 18 example (examples/react-18)');
