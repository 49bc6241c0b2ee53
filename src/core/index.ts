export { HeartbeatConnection } from './connection.js';
export { CLOSE_HANDSHAKE_WAIT, DEAD_SOCKET_CLOSE_WAIT, ClosingSocket } from './closing-socket.js';
export type { WaitingFor } from './connection.js';
export { MAX_TIMER_DELAY, systemClock } from './environment.js';
export type {
  Clock,
  HeartbeatEnvironment,
  PageDocument,
  SocketCloseEvent,
  SocketLike,
  SocketMessageEvent,
  TimerHandle,
  WebSocketConstructor,
} from './environment.js';
export { Heartbeat, WAKE_LATENESS } from './heartbeat.js';
export type { HeartbeatHost } from './heartbeat.js';
export { PageLifecycle } from './page-lifecycle.js';
export type { PageLifecycleHost } from './page-lifecycle.js';
export { ConnectionStatus, CloseCode } from './status.js';
export { DEFAULTS, MIN_RECONNECT_CAP } from './options.js';
export type { CloseCodeList, HeartbeatOptions, ResolvedOptions, UrlProvider, UrlProviderContext, UrlSpec } from './options.js';
export { Backoff, backoffDelay, isHealthy, retryLaterDelay } from './backoff.js';
export type { BackoffSettings, Loss, ScheduledRetry } from './backoff.js';
export {
  closeAction,
  DEFAULT_FATAL_CLOSE_CODES,
  DEFAULT_REFRESH_CLOSE_CODES,
  DEFAULT_RETRY_LATER_CLOSE_CODES,
  parseCloseCodes,
} from './close-policy.js';
export type { CloseAction, ClosePolicy } from './close-policy.js';
export { decodeInbound, encodeOutbound, isSocketData, UnsendableValue } from './message-format.js';
export type { MessageFormat } from './message-format.js';
export { SendQueue } from './send-queue.js';
export type { SocketData } from './send-queue.js';
export { resolveSocketUrl, parseProtocols, socketTarget } from './url.js';
export type { SocketTarget } from './url.js';
export type * from './events.js';
export { createMessageBatch, animationFrames } from './message-batch.js';
export type { BatchMode, BatchEnvironment, FrameScheduler, MessageBatch } from './message-batch.js';
