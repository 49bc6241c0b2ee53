import { exampleSuite } from './frameworks.js';

// examples/lit-react: @lit/react's createComponent wrapper, in React 19 and in React 18.
exampleSuite('lit-react', '@lit/react createComponent example (examples/lit-react), React 19');
exampleSuite('lit-react-18', '@lit/react createComponent example (examples/lit-react), React 18');
