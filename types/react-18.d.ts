// JSX typings for <heartbeat-socket> in React 18: `import type {} from 'heartbeat-socket/react-18';`
// once in the app.
//
// React 18 sets every prop of a custom element as an attribute, by the prop's own name, as a
// string, and never listens to its events. So these typings offer the settings under their
// attribute names (`reconnect-delay`, not `reconnectDelay`), only those an attribute can carry
// (not `urlProvider`), and no `on…` props at all: listen with a ref and addEventListener in
// useLayoutEffect (useEffect runs after the first `connecting` status-change has fired).
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { HeartbeatSocketElement, HeartbeatSocketSettings } from 'heartbeat-socket';

/** "reconnectDelay" → "reconnect-delay". */
type Kebab<Name extends string> = Name extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `-${Lowercase<Head>}`}${Kebab<Tail>}`
  : Name;

/** The settings an attribute can carry, under their attribute names. */
export type HeartbeatSocketAttributes = {
  [Name in Exclude<keyof HeartbeatSocketSettings, 'urlProvider'> as Kebab<Name>]?: string | number;
};

/** React's own listener props that would never see the element's events. */
type ElementEventProps = 'onError' | 'onClose' | 'onOpen' | 'onMessage';

export type HeartbeatSocketProps = HeartbeatSocketAttributes &
  Omit<DetailedHTMLProps<HTMLAttributes<HeartbeatSocketElement>, HeartbeatSocketElement>, ElementEventProps>;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'heartbeat-socket': HeartbeatSocketProps;
    }
  }
}
