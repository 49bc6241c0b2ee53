import { HeartbeatConnection, type HeartbeatEnvironment } from '../core/connection.js';
import type { HeartbeatOptions } from '../core/options.js';
import { ConnectionStatus } from '../core/status.js';
import type { GroupAddress, ShareLink } from './link.js';
import { ForwardingTarget, MemberSet, type MemberEntry, type ShareMember } from './member-set.js';

/**
 * `share="page"`: the elements of one document with the same url and protocols, on one
 * HeartbeatConnection. The hub is the connection's event target and fans each event out to
 * every member; errors caused by one member's call (a refused send, a bad setting) go to it alone.
 */
export class PageHub {
  readonly members = new MemberSet();
  readonly connection: HeartbeatConnection;
  readonly #address: GroupAddress;
  readonly #onEmpty: () => void;
  /** The member whose call is running: its errors are its own. */
  #caller: MemberEntry | undefined;
  /** While settings are applied: a bad setting was already reported by the element's own connection. */
  #configuring = false;

  /** `environment`: the core's (a WebSocket and clock for tests), less what the hub itself supplies. */
  constructor(address: GroupAddress, onEmpty: () => void, environment: Omit<HeartbeatEnvironment, 'eventTarget' | 'onStatusChange'> = {}) {
    this.#address = address;
    this.#onEmpty = onEmpty;
    this.connection = new HeartbeatConnection(
      {},
      {
        ...environment,
        eventTarget: new ForwardingTarget((event) => this.#receive(event)),
        onStatusChange: (status) => this.members.setStatus(status),
      },
    );
  }

  join(member: ShareMember): ShareLink {
    const entry = this.members.add(member);
    if (this.members.size === 1) {
      this.#applySettings();
      this.connection.start();
    } else if (this.members.status === ConnectionStatus.Open) {
      // A latecomer learns that the socket is ready, as it would from its own socket.
      member.target.dispatchEvent(new CustomEvent('open', { detail: { url: this.connection.url } }));
    }
    return this.#link(entry);
  }

  #link(entry: MemberEntry): ShareLink {
    const queued = () => (entry.left ? 0 : this.connection.queuedCount);
    return {
      get status() {
        return entry.status;
      },
      get queuedCount() {
        return queued();
      },
      get holding() {
        return !entry.left;
      },
      send: (data) => this.#as(entry, () => this.connection.send(data)),
      reconnect: () => this.#as(entry, () => this.connection.reconnect()),
      configure: () => {
        if (this.members.ruler === entry) this.#applySettings();
      },
      clearQueue: () => (entry.left ? 0 : this.connection.clearQueue()),
      leave: (code, reason) => this.#leave(entry, code, reason),
    };
  }

  #leave(entry: MemberEntry, code: number, reason: string): void {
    if (entry.left) return;
    const wasRuler = this.members.ruler === entry;
    this.members.remove(entry, { code, reason });
    if (this.members.size === 0) {
      this.connection.close(1000, 'no element left');
      this.#onEmpty();
    } else if (wasRuler) {
      this.#applySettings();
    }
  }

  /** The ruling member's settings, with the group's url and protocols (the same for everyone). */
  #applySettings(): void {
    const ruler = this.members.ruler;
    if (!ruler) return;
    const options = { ...ruler.member.settings(), url: this.#address.url, protocols: this.#address.protocols };
    this.#configuring = true;
    try {
      this.connection.configure(options as HeartbeatOptions);
    } finally {
      this.#configuring = false;
    }
  }

  #as<T>(entry: MemberEntry, call: () => T): T {
    const outer = this.#caller;
    this.#caller = entry;
    try {
      return call();
    } finally {
      this.#caller = outer;
    }
  }

  #receive(event: Event): void {
    // Each member gets its own status-change from the MemberSet, with its own `previous`.
    if (event.type === 'status-change') return;
    if (this.#configuring && event.type === 'error') return;
    const caller = this.#caller;
    if (event.type === 'error' && caller && !caller.left) {
      caller.member.target.dispatchEvent(event);
      return;
    }
    this.members.forward(event);
  }
}
