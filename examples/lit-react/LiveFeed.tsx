// The same feed with the createComponent wrapper (HeartbeatSocket.ts): camel-case props, typed by
// the element class, and onStatusChange/onMessage/onHeartbeat as React props.
import { useRef, useState, type FormEvent } from 'react';
import type { ConnectionStatus, HeartbeatSocketElement } from 'heartbeat-socket';
import { HeartbeatSocket } from './HeartbeatSocket.js';

export interface LiveFeedProps {
  url: string;
  /** ms of silence before a ping; the element's default is 25000. */
  interval?: number;
}

export function LiveFeed({ url, interval = 25_000 }: LiveFeedProps) {
  const socket = useRef<HeartbeatSocketElement>(null);
  const [status, setStatus] = useState<ConnectionStatus>('idle');
  const [latency, setLatency] = useState<number>();
  const [messages, setMessages] = useState<string[]>([]);

  function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = event.currentTarget.elements.namedItem('text') as HTMLInputElement;
    if (input.value && socket.current?.send(input.value)) input.value = '';
  }

  return (
    <HeartbeatSocket
      ref={socket}
      url={url}
      interval={interval}
      timeout={5000}
      reconnectDelay={1000}
      onStatusChange={(event) => setStatus(event.detail.status)}
      onHeartbeat={(event) => setLatency(event.detail.latency)}
      onMessage={(event) => setMessages((list) => [...list.slice(-19), String(event.detail.data)])}
    >
      <p className="status" data-status={status}>
        {status}
        {latency !== undefined && ` · ${latency} ms`}
      </p>
      <ul className="messages">
        {messages.map((text, index) => (
          <li key={index}>{text}</li>
        ))}
      </ul>
      <form onSubmit={send}>
        <input name="text" aria-label="message" />
        <button type="submit">Send</button>
      </form>
    </HeartbeatSocket>
  );
}
