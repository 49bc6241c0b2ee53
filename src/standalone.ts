// Entry of dist/heartbeat-socket.js: one self-contained module (Lit inside) for a plain
// <script type="module"> with no bundler. It defines the tag and exports what index.ts does.
export * from './index.js';
