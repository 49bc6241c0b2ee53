// The sharing code: the element loads this module with import() the first time it shares, so
// it is a file of its own (dist/heartbeat-socket-share.js) that pages which never share skip.
export { ShareSession, groupAddress } from './session.js';
export type { ShareHost, ShareMode, PendingShare } from './session.js';
export { joinShare, tabsSupported, activeHubs } from './registry.js';
export type { ShareLink, GroupAddress } from './link.js';
export type { ShareMember } from './member-set.js';
export { PageHub } from './page-hub.js';
export { TabsHub, TAKEOVER_GAP } from './tabs-hub.js';
export { MemberSet, ForwardingTarget } from './member-set.js';
export { Outbox, SendSequencer } from './outbox.js';
