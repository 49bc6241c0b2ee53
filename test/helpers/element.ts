import type { HeartbeatSocketElement } from '../../src/heartbeat-socket-element.js';
import { recordEvents } from './mock.js';

/**
 * Elements made for one test, removed after it. `make` creates the element, listens to every
 * event, then sets attributes and inserts it, so no event (not even an early `error`) is missed.
 */
export function elementFactory() {
  const elements: HeartbeatSocketElement[] = [];
  return {
    async make(attributes: Record<string, string>) {
      const el = document.createElement('heartbeat-socket');
      const log = recordEvents(el);
      for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
      document.body.append(el);
      elements.push(el);
      await el.updateComplete;
      return { el, log };
    },
    /** For elements made by hand in a test: removed after it too. */
    track(el: HeartbeatSocketElement) {
      elements.push(el);
    },
    removeAll() {
      for (const el of elements.splice(0)) el.remove();
    },
  };
}

export const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
