// JSX typings for <heartbeat-socket> in React 19: `import type {} from 'heartbeat-socket/react';`
// once in the app (or list it in tsconfig `types`).
//
// React 19 passes a prop to a custom element as a property when the element has one (so numbers
// stay numbers and `urlProvider` can be a function), and `on<name>` props become
// addEventListener(name): the event name is the rest of the prop, case and hyphens kept. So
// `onmessage`, `onstatus-change`, `onerror`, never `onMessage` (that would listen for "Message").
// React 18 does neither: use heartbeat-socket/react-18.
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { HeartbeatEventDetails, HeartbeatSocketElement, HeartbeatSocketSettings } from 'heartbeat-socket';

/** `onmessage`, `onstatus-change`, …: one listener prop per event, named as React 19 needs. */
export type HeartbeatSocketListeners = {
  [Name in keyof HeartbeatEventDetails as `on${Name}`]?: (event: CustomEvent<HeartbeatEventDetails[Name]>) => void;
};

/** What React 19 may set on <heartbeat-socket>: its settings and its events. */
export type HeartbeatSocketProps = HeartbeatSocketSettings &
  HeartbeatSocketListeners &
  Omit<DetailedHTMLProps<HTMLAttributes<HeartbeatSocketElement>, HeartbeatSocketElement>, 'onError' | 'onClose' | 'onOpen' | 'onMessage'>;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'heartbeat-socket': HeartbeatSocketProps;
    }
  }
}
