import '../src/heartbeat-socket-define.ts';
import type { HeartbeatSocketElement } from '../src/heartbeat-socket-element.ts';

const MAX_LOG_ROWS = 50;

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`demo: #${id} is missing`);
  return element as T;
}

const socket = byId<HeartbeatSocketElement>('socket');
const badge = byId('badge');
const latencyOut = byId('latency');
const retryOut = byId('retry');
const urlOut = byId('socket-url');
const queuedOut = byId('queued');
const log = byId<HTMLOListElement>('log');
const logTicks = byId<HTMLInputElement>('log-ticks');
const logHeartbeats = byId<HTMLInputElement>('log-heartbeats');
const serverState = byId('server-state');

// ---- the log: newest first, bounded, text only (textContent, never innerHTML) -------------

type LogKind = 'open' | 'message' | 'close' | 'error' | 'status' | 'retry' | 'heartbeat' | 'you' | 'control';

function clock(): string {
  const now = new Date();
  const ms = String(now.getMilliseconds()).padStart(3, '0');
  return `${now.toLocaleTimeString([], { hour12: false })}.${ms}`;
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength})`;
  if (value instanceof Blob) return `Blob(${value.size})`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function addLog(kind: LogKind, text: string): void {
  const row = document.createElement('li');
  row.dataset['kind'] = kind;
  for (const [name, value] of [
    ['time', clock()],
    ['kind', kind],
    ['text', text],
  ] as const) {
    const cell = document.createElement('span');
    cell.className = name;
    cell.textContent = value;
    row.append(cell);
  }
  log.prepend(row);
  while (log.children.length > MAX_LOG_ROWS) log.lastElementChild?.remove();
}

byId('btn-clear-log').addEventListener('click', () => log.replaceChildren());

// ---- status, latency, retry countdown ---------------------------------------------------

let retryAt: number | undefined;
let retryAttempt = 0;
let countdown: ReturnType<typeof setInterval> | undefined;

function stopCountdown(text = '—'): void {
  if (countdown !== undefined) clearInterval(countdown);
  countdown = undefined;
  retryAt = undefined;
  retryOut.textContent = text;
}

function renderCountdown(): void {
  if (retryAt === undefined) return;
  const left = Math.max(0, retryAt - performance.now());
  retryOut.textContent = left < 50 ? `attempt ${retryAttempt}: now` : `attempt ${retryAttempt} in ${(left / 1000).toFixed(1)} s`;
}

function renderStatus(): void {
  badge.textContent = socket.status;
  urlOut.textContent = socket.connection.url || '—';
  queuedOut.textContent = String(socket.queuedCount);
}

socket.addEventListener('status-change', (event) => {
  const { status, previous } = event.detail;
  renderStatus();
  if (status === 'connecting' && retryAt !== undefined) stopCountdown(`attempt ${retryAttempt}: connecting…`);
  else if (status !== 'reconnecting' && status !== 'connecting') stopCountdown();
  addLog('status', `${previous} → ${status}`);
});

socket.addEventListener('retry', (event) => {
  const { attempt, delay, maxRetries } = event.detail;
  retryAttempt = attempt;
  retryAt = performance.now() + delay;
  if (countdown === undefined) countdown = setInterval(renderCountdown, 100);
  renderCountdown();
  const limit = Number.isFinite(maxRetries) ? ` of ${maxRetries}` : '';
  addLog('retry', `attempt ${attempt}${limit} in ${delay} ms`);
});

socket.addEventListener('heartbeat', (event) => {
  const { latency, pong } = event.detail;
  latencyOut.textContent = `${latency} ms`;
  const note = document.createElement('small');
  note.textContent = pong ? ' (pong)' : ' (other traffic answered the ping)';
  latencyOut.append(note);
  if (logHeartbeats.checked) addLog('heartbeat', `${latency} ms${pong ? '' : ', answered by other traffic'}`);
});

socket.addEventListener('open', (event) => {
  renderStatus();
  addLog('open', event.detail.url);
});

socket.addEventListener('message', (event) => {
  const { data } = event.detail;
  const isTick = typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'tick';
  if (isTick && !logTicks.checked) return;
  addLog('message', show(data));
});

socket.addEventListener('close', (event) => {
  const { code, reason, wasClean, willReconnect } = event.detail;
  renderStatus();
  addLog(
    'close',
    `code ${code}${reason ? ` "${reason}"` : ''}, ${wasClean ? 'clean' : 'not clean'}, ${willReconnect ? 'will reconnect' : 'no retry'}`,
  );
});

socket.addEventListener('error', (event) => {
  const { code, message } = event.detail;
  renderStatus();
  addLog('error', `${code}: ${message}`);
});

// The element may have upgraded (and connected) before this module added its listeners.
renderStatus();
setInterval(() => {
  queuedOut.textContent = String(socket.queuedCount);
}, 500);

// ---- element controls ---------------------------------------------------------------------

byId('btn-close').addEventListener('click', () => {
  addLog('you', 'close()');
  socket.close();
});

byId('btn-reconnect').addEventListener('click', () => {
  addLog('you', 'reconnect()');
  socket.reconnect();
});

for (const name of ['interval', 'timeout'] as const) {
  const input = byId<HTMLInputElement>(name);
  input.value = socket.getAttribute(name) ?? '';
  input.addEventListener('change', () => {
    // Through the attribute, so a bad value takes the element's own path (an `error` event).
    socket.setAttribute(name, input.value);
    addLog('you', `${name} = ${input.value}`);
  });
}
byId<HTMLFormElement>('timing-form').addEventListener('submit', (event) => event.preventDefault());

const sendText = byId<HTMLInputElement>('send-text');
const sendRaw = byId<HTMLInputElement>('send-raw');
byId<HTMLFormElement>('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = sendText.value;
  if (text === '') return;
  const payload = sendRaw.checked ? text : { type: 'chat', text };
  const wasOpen = socket.status === 'open';
  const accepted = socket.send(payload);
  addLog('you', `send ${show(payload)}: ${accepted ? (wasOpen ? 'sent' : 'queued') : 'refused'}`);
  queuedOut.textContent = String(socket.queuedCount);
  if (accepted) sendText.value = '';
});

// ---- server faults ------------------------------------------------------------------------

interface ServerState {
  clients: number;
  ticker: boolean;
  silentFor: number;
  slowFor: number;
  refuseFor: number;
}

function renderServerState(state: ServerState | undefined): void {
  if (!state) {
    serverState.textContent = 'Server: control endpoint not reachable';
    return;
  }
  const faults: string[] = [];
  if (state.silentFor > 0) faults.push(`silent ${state.silentFor} s`);
  if (state.slowFor > 0) faults.push(`slow ${state.slowFor} s`);
  if (state.refuseFor > 0) faults.push(`refusing ${state.refuseFor} s`);
  serverState.textContent =
    `Server: ${state.clients} socket(s), ticker ${state.ticker ? 'on' : 'off'}, ` +
    (faults.length > 0 ? faults.join(', ') : 'healthy');
}

async function control(action: string): Promise<void> {
  let query = '';
  if (action === 'silence') {
    const seconds = byId<HTMLInputElement>('silence-seconds').value;
    query = `?seconds=${encodeURIComponent(seconds)}`;
  }
  try {
    const response = await fetch(`/control/${action}${query}`, { method: 'POST' });
    const body = (await response.json()) as { ok: boolean; message?: string; error?: string; state?: ServerState };
    addLog('control', `${action}: ${body.message ?? body.error ?? response.status}`);
    renderServerState(body.state);
  } catch (cause) {
    addLog('control', `${action}: request failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

for (const button of document.querySelectorAll<HTMLButtonElement>('.faults button[data-action]')) {
  button.addEventListener('click', () => void control(button.dataset['action'] ?? ''));
}

async function pollServerState(): Promise<void> {
  try {
    const response = await fetch('/control/state', { cache: 'no-store' });
    const body = (await response.json()) as { state?: ServerState };
    renderServerState(body.state);
  } catch {
    renderServerState(undefined);
  }
}
void pollServerState();
setInterval(() => void pollServerState(), 1000);
