import { exampleSuite } from './frameworks.js';

// examples/angular with Angular 21, compiled ahead of time by Angular's own compiler
// (angular-compile.mjs): `[interval]` sets the property, `(status-change)` listens.
exampleSuite('angular', 'Angular 21 example (examples/angular)');
