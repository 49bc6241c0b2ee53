// React 18: <heartbeat-socket> in a component. React 18 sets every prop of a custom element as a
// string attribute, by the prop's own name, and never listens to its events. So settings go by
// their attribute names (`reconnect-delay`, not `reconnectDelay`; a number arrives as text and the
// element reads it back as a number), and listeners are added through a ref in useLayoutEffect:
// useEffect would run only after the element has announced its first `connecting` status.
import type {} from 'heartbeat-socket/react-18';
import { useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import 'heartbeat-socket'; // defines <heartbeat-socket> (once, however often it is imported)
import type { ConnectionStatus, HeartbeatEventMap, HeartbeatSocketElement } from 'heartbeat-socket';

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

  useLayoutEffect(() => {
    const element = socket.current!;
    const onStatus = (event: HeartbeatEventMap['status-change']) => setStatus(event.detail.status);
    const onHeartbeat = (event: HeartbeatEventMap['heartbeat']) => setLatency(event.detail.latency);
    const onMessage = (event: HeartbeatEventMap['message']) => setMessages((list) => [...list.slice(-19), String(event.detail.data)]);
    element.addEventListener('status-change', onStatus);
    element.addEventListener('heartbeat', onHeartbeat);
    element.addEventListener('message', onMessage);
    return () => {
      element.removeEventListener('status-change', onStatus);
      element.removeEventListener('heartbeat', onHeartbeat);
      element.removeEventListener('message', onMessage);
    };
  }, []);

  function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = event.currentTarget.elements.namedItem('text') as HTMLInputElement;
    if (input.value && socket.current?.send(input.value)) input.value = '';
  }

  return (
    <heartbeat-socket ref={socket} url={url} interval={interval} timeout={5000} reconnect-delay={1000}>
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
    </heartbeat-socket>
  );
}
