// heartbeat-socket/react, /react-18, /vue and /svelte are type-only: their .d.ts files add the
// tag to a framework's JSX or template types. This module lets `import 'heartbeat-socket/react'`
// (or a server render that follows it) load without error; it has nothing to run.
export {};
