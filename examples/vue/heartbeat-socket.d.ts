// The app's one line for typings: the package ships them (types/vue.d.ts in this repo).
import type {} from 'heartbeat-socket/vue';
