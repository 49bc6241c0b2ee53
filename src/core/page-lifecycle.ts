// The page around a connection: network (online/offline), visibility, freeze/resume and the
// back/forward cache (pagehide/pageshow). This watcher only reports; the state machine decides.
import { type HeartbeatEnvironment, type PageDocument, defaultDocument, defaultIsOnline, defaultWindow } from './environment.js';

/** What the watcher reports to the connection. */
export interface PageLifecycleHost {
  online(): void;
  offline(): void;
  /** Visible again (`visibilitychange` to a visible state) or resumed after a freeze. */
  visible(): void;
  pageHide(): void;
  /** `persisted`: the page came back from the back/forward cache. */
  pageShow(persisted: boolean): void;
}

/**
 * Listens on the window and document only while attached (the connection attaches while active:
 * connecting, open, reconnecting), so a closed or idle connection holds no references from the page.
 */
export class PageLifecycle {
  #attached = false;
  readonly #env: Pick<HeartbeatEnvironment, 'window' | 'document' | 'isOnline'>;
  readonly #host: PageLifecycleHost;

  constructor(env: Pick<HeartbeatEnvironment, 'window' | 'document' | 'isOnline'>, host: PageLifecycleHost) {
    this.#env = env;
    this.#host = host;
  }

  get attached(): boolean {
    return this.#attached;
  }

  /**
   * Whether the browser says the network is up. Only a hint: `navigator.onLine` is false when no
   * interface but loopback is up, while a server on localhost, the LAN or a VPN may answer.
   */
  isOnline(): boolean {
    return this.#env.isOnline ? this.#env.isOnline() : defaultIsOnline();
  }

  attach(attach: boolean): void {
    if (attach === this.#attached) return;
    this.#attached = attach;
    const win = this.#window();
    const doc = this.#document();
    const method = attach ? 'addEventListener' : 'removeEventListener';
    if (win) {
      win[method]('online', this.#onOnline);
      win[method]('offline', this.#onOffline);
      win[method]('pagehide', this.#onPageHide);
      win[method]('pageshow', this.#onPageShow);
    }
    if (doc) {
      doc[method]('visibilitychange', this.#onVisible);
      doc[method]('resume', this.#onVisible);
    }
  }

  #window(): EventTarget | null {
    return this.#env.window === undefined ? defaultWindow() : this.#env.window;
  }

  #document(): PageDocument | null {
    return this.#env.document === undefined ? defaultDocument() : this.#env.document;
  }

  #onOnline = (): void => this.#host.online();
  #onOffline = (): void => this.#host.offline();
  #onPageHide = (): void => this.#host.pageHide();
  #onPageShow = (event: Event): void => this.#host.pageShow((event as PageTransitionEvent).persisted === true);
  #onVisible = (): void => {
    if (this.#document()?.visibilityState === 'hidden') return;
    this.#host.visible();
  };
}
