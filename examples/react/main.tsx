// Entry of a React 19 app (e.g. Vite's react-ts template): render the feed.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { LiveFeed } from './LiveFeed.js';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LiveFeed url="wss://example.com/socket" />
  </StrictMode>,
);
