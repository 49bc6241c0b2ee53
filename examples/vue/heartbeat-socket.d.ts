// Template types for <heartbeat-socket> in Vue 3 (checked by vue-tsc / Vue - Official in the
// editor). Copy this file into your app (any .d.ts that your tsconfig includes).
//
// Vue sets a bound value (`:interval="2000"`) as the element's property when it has one, and
// `@status-change` listens for the element's "status-change" event. Vue checks `@event` handlers
// against `on<Event>` props, which is what `HeartbeatSocketEvents` declares.
import type { DefineComponent } from 'vue';
import type {
  CloseDetail,
  ErrorDetail,
  HeartbeatDetail,
  MessageDetail,
  OpenDetail,
  RetryDetail,
  StatusChangeDetail,
  UrlProvider,
} from 'heartbeat-socket';

export interface HeartbeatSocketProps {
  url?: string;
  interval?: number;
  timeout?: number;
  pingMessage?: string;
  pongMessage?: string;
  protocols?: string | string[];
  reconnectDelay?: number;
  reconnectMaxDelay?: number;
  maxRetries?: number;
  connectTimeout?: number;
  format?: 'text' | 'json';
  queueLimit?: number;
  binaryType?: BinaryType;
  urlProvider?: UrlProvider;
}

type Listener<Detail> = (event: CustomEvent<Detail>) => void;

export interface HeartbeatSocketEvents {
  onOpen?: Listener<OpenDetail>;
  onMessage?: Listener<MessageDetail>;
  onClose?: Listener<CloseDetail>;
  onError?: Listener<ErrorDetail>;
  onStatusChange?: Listener<StatusChangeDetail>;
  onRetry?: Listener<RetryDetail>;
  onHeartbeat?: Listener<HeartbeatDetail>;
}

declare module 'vue' {
  interface GlobalComponents {
    'heartbeat-socket': DefineComponent<HeartbeatSocketProps & HeartbeatSocketEvents>;
  }
}
