// Element typings for <heartbeat-socket> in Svelte 5 (checked by svelte-check and the Svelte
// editor extension). Copy this file into your app (any .d.ts that your tsconfig includes).
//
// Event attributes are case-sensitive and named after the event: `onstatus-change`, `onmessage`.
import type { HTMLAttributes } from 'svelte/elements';
import type {
  CloseDetail,
  ErrorDetail,
  HeartbeatDetail,
  HeartbeatSocketElement,
  MessageDetail,
  OpenDetail,
  RetryDetail,
  StatusChangeDetail,
  UrlProvider,
} from 'heartbeat-socket';

type Listener<Detail> = (event: CustomEvent<Detail> & { currentTarget: HeartbeatSocketElement }) => void;

export interface HeartbeatSocketAttributes
  extends Omit<HTMLAttributes<HeartbeatSocketElement>, 'onerror' | 'onclose' | 'onmessage'> {
  url?: string | null;
  interval?: number | null;
  timeout?: number | null;
  pingMessage?: string | null;
  pongMessage?: string | null;
  protocols?: string | string[] | null;
  reconnectDelay?: number | null;
  reconnectMaxDelay?: number | null;
  maxRetries?: number | null;
  connectTimeout?: number | null;
  format?: 'text' | 'json' | null;
  queueLimit?: number | null;
  binaryType?: BinaryType | null;
  urlProvider?: UrlProvider | null;
  onopen?: Listener<OpenDetail>;
  onmessage?: Listener<MessageDetail>;
  onclose?: Listener<CloseDetail>;
  onerror?: Listener<ErrorDetail>;
  'onstatus-change'?: Listener<StatusChangeDetail>;
  onretry?: Listener<RetryDetail>;
  onheartbeat?: Listener<HeartbeatDetail>;
}

declare module 'svelte/elements' {
  export interface SvelteHTMLElements {
    'heartbeat-socket': HeartbeatSocketAttributes;
  }
}
