export { HeartbeatSocketElement } from './heartbeat-socket-element.js';
export type { HeartbeatSocketSettings } from './heartbeat-socket-element.js';
export { TAG_NAME } from './heartbeat-socket-define.js';
export * from './core/index.js';
