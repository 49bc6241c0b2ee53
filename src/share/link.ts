import type { ConnectionStatus } from '../core/status.js';

/** One element's handle on its sharing group (page or tabs). */
export interface ShareLink {
  /** The status the element shows: the group's, or `closed` once it has left. */
  readonly status: ConnectionStatus;
  /** Messages waiting for the shared socket to open (in `tabs` mode: this page's). */
  readonly queuedCount: number;
  /** Whether this document holds the group's socket (always, in `page` mode, while joined). */
  readonly holding: boolean;
  send(data: unknown): boolean;
  /** Drops the shared socket and connects again, backoff reset: the whole group follows. */
  reconnect(): void;
  /** The element's settings changed: they apply when it is the member that rules the group. */
  configure(): void;
  clearQueue(): number;
  /** Detaches the element: status `closed`; the socket closes (1000) when no member is left. */
  leave(code: number, reason: string): void;
}

/** Where a group lives: its key names the url and protocols (and the mode). */
export interface GroupAddress {
  key: string;
  url: string;
  protocols: string[];
}
