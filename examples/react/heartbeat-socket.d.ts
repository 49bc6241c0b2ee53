// JSX typings for <heartbeat-socket> in React 19. Copy this file into your app (any .d.ts that
// your tsconfig includes) to type its attributes, properties and events.
//
// React 19 passes a prop to a custom element as a property when the element has one (so numbers
// stay numbers and `urlProvider` can be a function), and `on<name>` props become
// addEventListener(name): the event name is the rest of the prop, case and hyphens kept. So write
// `onmessage`, `onstatus-change`, `onerror`, never `onMessage` (that would listen for "Message").
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
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

type Listener<Detail> = (event: CustomEvent<Detail>) => void;

/** What React may set on <heartbeat-socket>: its settings and its events. */
export interface HeartbeatSocketProps
  extends Omit<
    DetailedHTMLProps<HTMLAttributes<HeartbeatSocketElement>, HeartbeatSocketElement>,
    'onError' | 'onClose' | 'onOpen' | 'onMessage'
  > {
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
  onopen?: Listener<OpenDetail>;
  onmessage?: Listener<MessageDetail>;
  onclose?: Listener<CloseDetail>;
  onerror?: Listener<ErrorDetail>;
  'onstatus-change'?: Listener<StatusChangeDetail>;
  onretry?: Listener<RetryDetail>;
  onheartbeat?: Listener<HeartbeatDetail>;
}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'heartbeat-socket': HeartbeatSocketProps;
    }
  }
}
