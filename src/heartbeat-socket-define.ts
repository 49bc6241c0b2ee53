import { HeartbeatSocketElement } from './heartbeat-socket-element.js';

export const TAG_NAME = 'heartbeat-socket';

// Importing twice (two bundles, or a page that defined the tag itself) must not throw.
if (typeof customElements !== 'undefined' && !customElements.get(TAG_NAME)) {
  customElements.define(TAG_NAME, HeartbeatSocketElement);
}

declare global {
  interface HTMLElementTagNameMap {
    'heartbeat-socket': HeartbeatSocketElement;
  }
}

export { HeartbeatSocketElement };
