// Which engine runs this page (test/run-engines.mjs runs the suite in each), for the few places
// where an engine's own network behaviour, not the element's, decides what a server can observe.

export type Engine = 'chromium' | 'firefox' | 'webkit';

function detect(userAgent: string): Engine {
  if (/\bFirefox\//.test(userAgent)) return 'firefox';
  if (/\b(Chrome|Chromium|HeadlessChrome)\//.test(userAgent)) return 'chromium';
  return 'webkit';
}

export const engine: Engine = detect(navigator.userAgent);

/**
 * Whether the engine ends the TCP connection of a socket as soon as its close handshake is over
 * (or, for a handshake abandoned with `close()`, at once). Firefox keeps an abandoned handshake's
 * connection up to 75 s and sometimes ends a closed socket's TCP only after the next socket's
 * handshake (NOTES.md): there, only what the server sees of WebSockets (OPEN sockets) says
 * anything about the element.
 */
export const closesTcpPromptly = engine !== 'firefox';
