// Type-checked against the packed tarball (test/node/package.test.mjs): an app that uses
// heartbeat-socket/react. Every `@ts-expect-error` below must stay an error.
import type {} from 'heartbeat-socket/react';
import { useRef, useState } from 'react';
import 'heartbeat-socket';
import type { ConnectionStatus, HeartbeatSocketElement } from 'heartbeat-socket';

export function Feed({ url }: { url: string }) {
  const socket = useRef<HeartbeatSocketElement>(null);
  const [status, setStatus] = useState<ConnectionStatus>('idle');
  return (
    <heartbeat-socket
      ref={socket}
      url={url}
      interval={25_000}
      urlProvider={({ attempt }) => `${url}?attempt=${attempt}`}
      onstatus-change={(event) => setStatus(event.detail.status)}
      onheartbeat={(event) => console.log(event.detail.latency.toFixed(0))}
    >
      <p>{status}</p>
    </heartbeat-socket>
  );
}

export const wrongCase = (
  // @ts-expect-error React 19 would listen for an event called "Message": not offered.
  <heartbeat-socket url="/ws" onMessage={() => undefined} />
);

export const wrongType = (
  // @ts-expect-error interval is a number.
  <heartbeat-socket url="/ws" interval={{ ms: 5 }} />
);
