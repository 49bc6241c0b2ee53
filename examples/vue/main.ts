// Entry of a Vue 3 app (e.g. Vite's vue-ts template).
import { createApp, h } from 'vue';
import LiveFeed from './LiveFeed.vue';

createApp({ render: () => h(LiveFeed, { url: 'wss://example.com/socket' }) }).mount('#app');
