// Template types for <heartbeat-socket> in Vue 3 (checked by vue-tsc / Vue - Official in the
// editor): `import type {} from 'heartbeat-socket/vue';` once in the app.
//
// Vue sets a bound value (`:interval="2000"`) as the element's property when it has one, and
// `@status-change` listens for the element's "status-change" event. Vue checks `@event` handlers
// against `on<Event>` props, which is what `HeartbeatSocketEvents` declares.
import type { DefineComponent } from 'vue';
import type { HeartbeatEventDetails, HeartbeatSocketSettings } from 'heartbeat-socket';

export type HeartbeatSocketProps = HeartbeatSocketSettings;

/** "status-change" → "StatusChange". */
type Pascal<Name extends string> = Name extends `${infer Head}-${infer Tail}` ? `${Capitalize<Head>}${Pascal<Tail>}` : Capitalize<Name>;

/** `onStatusChange`, `onMessage`, …: what Vue checks `@status-change`, `@message` against. */
export type HeartbeatSocketEvents = {
  [Name in keyof HeartbeatEventDetails as `on${Pascal<Name>}`]?: (event: CustomEvent<HeartbeatEventDetails[Name]>) => void;
};

declare module 'vue' {
  interface GlobalComponents {
    'heartbeat-socket': DefineComponent<HeartbeatSocketProps & HeartbeatSocketEvents>;
  }
}
