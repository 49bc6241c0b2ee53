// A Vite app that uses the element the way the README says: `import 'heartbeat-socket'`.
// Built by test/frameworks/vite-app-plugin.mjs and served under a strict CSP; csp.test.ts frames it.
import 'heartbeat-socket';

const el = document.createElement('heartbeat-socket');
const statuses: string[] = [];
el.addEventListener('status-change', (event) => statuses.push(event.detail.status));
el.setAttribute('url', new URL(location.href).searchParams.get('url') ?? '');
el.setAttribute('interval', '200');
document.body.append(el);

Object.assign(window, { app: { el, statuses } });
