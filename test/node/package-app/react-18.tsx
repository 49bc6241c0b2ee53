// Type-checked against the packed tarball with @types/react 18: heartbeat-socket/react-18
// offers attribute names and no listener props (React 18 never calls them).
import type {} from 'heartbeat-socket/react-18';
import { useLayoutEffect, useRef, useState } from 'react';
import 'heartbeat-socket';
import type { ConnectionStatus, HeartbeatSocketElement } from 'heartbeat-socket';

export function Feed({ url }: { url: string }) {
  const socket = useRef<HeartbeatSocketElement>(null);
  const [status, setStatus] = useState<ConnectionStatus>('idle');
  useLayoutEffect(() => {
    const element = socket.current!;
    const onStatus = (event: CustomEvent<{ status: ConnectionStatus }>) => setStatus(event.detail.status);
    element.addEventListener('status-change', onStatus);
    return () => element.removeEventListener('status-change', onStatus);
  }, []);
  return (
    <heartbeat-socket ref={socket} url={url} interval={25_000} reconnect-delay={500}>
      <p>{status}</p>
    </heartbeat-socket>
  );
}

export const listener = (
  // @ts-expect-error not offered, so its event is untyped (TypeScript lets any hyphenated name through): React 18 never calls it.
  <heartbeat-socket url="/ws" onstatus-change={(event) => console.log(event.detail)} />
);

export const camelCase = (
  // @ts-expect-error React 18 would set an attribute "reconnectdelay", which the element ignores.
  <heartbeat-socket url="/ws" reconnectDelay={500} />
);
