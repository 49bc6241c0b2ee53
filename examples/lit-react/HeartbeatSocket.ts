// A React component for <heartbeat-socket> made by @lit/react's createComponent: it sets every
// prop as a property and maps the named React props to the element's events. Works the same in
// React 18 and 19, and needs no JSX typings of its own.
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import { HeartbeatSocketElement, type HeartbeatEventMap } from 'heartbeat-socket';

export const HeartbeatSocket = createComponent({
  react: React,
  tagName: 'heartbeat-socket',
  elementClass: HeartbeatSocketElement,
  events: {
    onStatusChange: 'status-change' as EventName<HeartbeatEventMap['status-change']>,
    onMessage: 'message' as EventName<HeartbeatEventMap['message']>,
    onHeartbeat: 'heartbeat' as EventName<HeartbeatEventMap['heartbeat']>,
    onRetry: 'retry' as EventName<HeartbeatEventMap['retry']>,
    onOpen: 'open' as EventName<HeartbeatEventMap['open']>,
    onClose: 'close' as EventName<HeartbeatEventMap['close']>,
    onError: 'error' as EventName<HeartbeatEventMap['error']>,
  },
});
