// Entry of a Svelte 5 app (e.g. Vite's svelte-ts template).
import { mount } from 'svelte';
import LiveFeed from './LiveFeed.svelte';

mount(LiveFeed, { target: document.getElementById('app')!, props: { url: 'wss://example.com/socket' } });
