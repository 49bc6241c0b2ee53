// Element typings for <heartbeat-socket> in Svelte 5 (checked by svelte-check and the Svelte
// editor extension): `import type {} from 'heartbeat-socket/svelte';` once in the app.
//
// Event attributes are case-sensitive and named after the event: `onstatus-change`, `onmessage`.
import type { HTMLAttributes } from 'svelte/elements';
import type { HeartbeatEventDetails, HeartbeatSocketElement, HeartbeatSocketSettings } from 'heartbeat-socket';

/** Settings may also be bound to null (Svelte removes the attribute). */
type Nullable<T> = { [Key in keyof T]?: T[Key] | null };

/** `onmessage`, `onstatus-change`, …: one event attribute per event. */
type HeartbeatSocketListeners = {
  [Name in keyof HeartbeatEventDetails as `on${Name}`]?: (
    event: CustomEvent<HeartbeatEventDetails[Name]> & { currentTarget: HeartbeatSocketElement },
  ) => void;
};

export type HeartbeatSocketAttributes = Nullable<HeartbeatSocketSettings> &
  HeartbeatSocketListeners &
  Omit<HTMLAttributes<HeartbeatSocketElement>, 'onerror' | 'onclose' | 'onmessage'>;

declare module 'svelte/elements' {
  export interface SvelteHTMLElements {
    'heartbeat-socket': HeartbeatSocketAttributes;
  }
}
