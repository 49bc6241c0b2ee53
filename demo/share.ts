// The sharing demo (demo/share.html): one socket for every tab of this page.
import '../src/heartbeat-socket-define.ts';
import type { HeartbeatSocketElement } from '../src/heartbeat-socket-element.ts';

const byId = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`demo: #${id} is missing`);
  return found as T;
};

const socket = byId<HeartbeatSocketElement>('socket');
const statusOut = byId('status');
const roleOut = byId('role');
const serverOut = byId('server-sockets');
const log = byId<HTMLOListElement>('log');

function addLog(text: string): void {
  const row = document.createElement('li');
  row.textContent = `${new Date().toLocaleTimeString([], { hour12: false })}  ${text}`;
  log.prepend(row);
  while (log.children.length > 50) log.lastElementChild?.remove();
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

for (const type of ['open', 'close', 'message', 'error', 'retry'] as const) {
  socket.addEventListener(type, (event) => addLog(`${type} ${show((event as CustomEvent).detail)}`));
}

function render(): void {
  statusOut.textContent = socket.status;
  roleOut.textContent = socket.holdsSharedSocket ? 'holds the socket' : socket.status === 'open' ? 'follower' : '—';
}
socket.addEventListener('status-change', render);
setInterval(render, 250);
render();

async function pollServer(): Promise<void> {
  try {
    const response = await fetch('/control/state', { cache: 'no-store' });
    const body = (await response.json()) as { state?: { clients: number } };
    serverOut.textContent = String(body.state?.clients ?? '?');
  } catch {
    serverOut.textContent = '?';
  }
}
void pollServer();
setInterval(() => void pollServer(), 1000);

// "Close the holder": every tab of the demo hears it; only the holder acts.
const demoChannel = new BroadcastChannel('heartbeat-socket-demo');
function leaveIfHolder(): void {
  if (!socket.holdsSharedSocket) return;
  addLog('this tab holds the socket: going away');
  window.close(); // works for a tab this demo opened
  setTimeout(() => location.replace('about:blank'), 100);
}
demoChannel.onmessage = (event: MessageEvent) => {
  if (event.data === 'close-holder') leaveIfHolder();
};
byId('btn-close-holder').addEventListener('click', () => {
  demoChannel.postMessage('close-holder');
  leaveIfHolder();
});
byId('btn-open-tab').addEventListener('click', () => window.open(location.href, '_blank'));

byId<HTMLFormElement>('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = byId<HTMLInputElement>('send-text');
  if (!input.value) return;
  const accepted = socket.send({ type: 'chat', text: input.value });
  addLog(`you: send ${JSON.stringify(input.value)} → ${accepted ? 'accepted' : 'refused'}`);
  if (accepted) input.value = '';
});
