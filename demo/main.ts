import '../src/heartbeat-socket-define.ts';
import type { HeartbeatSocketElement } from '../src/heartbeat-socket-element.ts';
import { CloseCode } from '../src/core/status.js';

const MAX_LOG_ROWS = 50;
const LATENCY_HISTORY = 20;
/** The chart's scale never drops below this, so 1 ms pongs on localhost look as small as they are. */
const MIN_CHART_SCALE_MS = 20;

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`demo: #${id} is missing`);
  return element as T;
}

const socket = byId<HeartbeatSocketElement>('socket');
const badge = byId('badge');
const latencyOut = byId('latency');
const latencyNote = byId('latency-note');
const latencyBars = byId('latency-bars');
const latencyStats = byId('latency-stats');
const chartMax = byId('chart-max');
const lastHeardOut = byId('last-heard');
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

// ---- latency: the latest round trip and a bar per ping for the last 20 -----------------------

/** A ping's outcome: its round trip in ms, or `missed` when the heartbeat timed out. */
type PingResult = { latency: number; pong: boolean } | { missed: true };
const pings: PingResult[] = [];

function formatMs(ms: number): string {
  return ms < 1 ? '<1 ms' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function renderLatency(): void {
  const latencies = pings.flatMap((ping) => ('latency' in ping ? [ping.latency] : []));
  const missed = pings.length - latencies.length;
  const scale = Math.max(MIN_CHART_SCALE_MS, ...latencies);
  const timeout = socket.connection.options.timeout;
  chartMax.textContent = formatMs(scale);
  latencyBars.replaceChildren(
    ...pings.map((ping) => {
      const bar = document.createElement('span');
      if ('missed' in ping) {
        bar.className = 'missed';
        bar.style.height = '100%';
        bar.title = 'no answer within the timeout';
      } else {
        if (timeout > 0 && ping.latency >= timeout / 2) bar.className = 'late';
        else if (!ping.pong) bar.className = 'other';
        bar.style.height = `${(ping.latency / scale) * 100}%`;
        bar.title = `${ping.latency} ms${ping.pong ? '' : ' (answered by other traffic)'}`;
      }
      return bar;
    }),
  );
  if (pings.length === 0) {
    latencyStats.textContent = `last ${LATENCY_HISTORY} pings: none yet`;
    return;
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const parts = [`last ${pings.length} ping${pings.length === 1 ? '' : 's'}`];
  if (sorted.length > 0) {
    const median = sorted[Math.floor(sorted.length / 2)]!;
    parts.push(`min ${formatMs(sorted[0]!)}`, `median ${formatMs(median)}`, `max ${formatMs(sorted[sorted.length - 1]!)}`);
  }
  if (missed > 0) parts.push(`${missed} unanswered`);
  latencyStats.textContent = parts.join(' · ');
}

function recordPing(result: PingResult): void {
  pings.push(result);
  while (pings.length > LATENCY_HISTORY) pings.shift();
  renderLatency();
}

socket.addEventListener('heartbeat', (event) => {
  const { latency, pong } = event.detail;
  heard();
  latencyOut.textContent = formatMs(latency);
  latencyNote.textContent = pong ? 'last heartbeat round trip (ping → pong)' : 'last round trip (another message answered the ping)';
  recordPing({ latency, pong });
  if (logHeartbeats.checked) addLog('heartbeat', `${latency} ms${pong ? '' : ', answered by other traffic'}`);
});

// ---- last heard: every inbound message (pongs included) proves the line alive -------------

let lastHeardAt: number | undefined;

function heard(): void {
  lastHeardAt = performance.now();
  renderLastHeard();
}

function renderLastHeard(): void {
  const interval = socket.connection.options.interval;
  const pingRule = interval > 0 ? `a ping goes out after ${(interval / 1000).toFixed(1)} s of silence` : 'heartbeat off (interval 0)';
  if (lastHeardAt === undefined || socket.status !== 'open') {
    lastHeardOut.textContent = '—';
  } else {
    lastHeardOut.textContent = `${((performance.now() - lastHeardAt) / 1000).toFixed(1)} s ago`;
  }
  const note = document.createElement('small');
  note.textContent = pingRule;
  lastHeardOut.append(note);
}

socket.addEventListener('open', (event) => {
  lastHeardAt = performance.now();
  latencyOut.textContent = '—';
  latencyNote.textContent = 'new connection: no ping answered yet';
  renderStatus();
  addLog('open', event.detail.url);
});

socket.addEventListener('message', (event) => {
  heard();
  const { data } = event.detail;
  const isTick = typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'tick';
  if (isTick && !logTicks.checked) return;
  addLog('message', show(data));
});

socket.addEventListener('close', (event) => {
  const { code, reason, wasClean, willReconnect } = event.detail;
  if (code === CloseCode.HeartbeatTimeout) {
    recordPing({ missed: true });
    latencyOut.textContent = 'no answer';
    latencyNote.textContent = `nothing arrived within ${formatMs(socket.connection.options.timeout)} of the ping`;
  }
  renderStatus();
  addLog(
    'close',
    `code ${code}${reason ? ` "${reason}"` : ''}, ${wasClean ? 'clean' : 'not clean'}, ${willReconnect ? 'will reconnect' : 'no retry'}`,
  );
});

socket.addEventListener('error', (event) => {
  const { code, message } = event.detail;
  if (code === 'invalid-json') heard(); // an inbound message all the same
  renderStatus();
  addLog('error', `${code}: ${message}`);
});

// The element may have upgraded (and connected) before this module added its listeners.
renderStatus();
renderLatency();
renderLastHeard();
setInterval(() => {
  queuedOut.textContent = String(socket.queuedCount);
  renderLastHeard();
}, 200);

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
  slowPongMs: number;
  refuseFor: number;
}

function renderServerState(state: ServerState | undefined): void {
  if (!state) {
    serverState.textContent = 'Server: control endpoint not reachable';
    return;
  }
  const faults: string[] = [];
  if (state.silentFor > 0) faults.push(`silent ${state.silentFor} s`);
  if (state.slowFor > 0) faults.push(`pongs ${state.slowPongMs} ms late for ${state.slowFor} s`);
  if (state.refuseFor > 0) faults.push(`refusing ${state.refuseFor} s`);
  serverState.textContent =
    `Server: ${state.clients} socket(s), ticker ${state.ticker ? 'on' : 'off'}, ` +
    (faults.length > 0 ? faults.join(', ') : 'healthy');
}

async function control(action: string): Promise<void> {
  let query = '';
  if (action === 'silence') query = `?seconds=${encodeURIComponent(byId<HTMLInputElement>('silence-seconds').value)}`;
  if (action === 'slow') query = `?ms=${encodeURIComponent(byId<HTMLInputElement>('slow-ms').value)}`;
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
