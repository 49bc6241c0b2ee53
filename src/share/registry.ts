import type { GroupAddress, ShareLink } from './link.js';
import type { ShareMember } from './member-set.js';
import { PageHub } from './page-hub.js';
import { TabsHub } from './tabs-hub.js';

/** This document's groups: one module instance per document, so one registry per document. */
const hubs = new Map<string, PageHub | TabsHub>();

/** Whether this browser has what `share="tabs"` needs. */
export function tabsSupported(): boolean {
  const locks = (globalThis as { navigator?: { locks?: { request?: unknown } } }).navigator?.locks;
  return typeof BroadcastChannel === 'function' && typeof locks?.request === 'function';
}

/** Joins the group at `address` in `mode` (for `tabs`, check tabsSupported() first). */
export function joinShare(mode: 'page' | 'tabs', address: GroupAddress, member: ShareMember): ShareLink {
  const key = `${mode}\n${address.key}`;
  let hub = hubs.get(key);
  if (!hub) {
    const onEmpty = () => {
      if (hubs.get(key) === hub) hubs.delete(key);
    };
    hub = mode === 'page' ? new PageHub(address, onEmpty) : new TabsHub(address, onEmpty);
    hubs.set(key, hub);
  }
  return hub.join(member);
}

/** The hubs of this document, for tests and the demo. */
export function activeHubs(): ReadonlyMap<string, PageHub | TabsHub> {
  return hubs;
}
