/**
 * The client-error intake: uncaught errors, unhandled rejections and failed requests go to
 * POST /api/client-logs. Throttled here (the server limits too): the same message at most once a
 * minute, and at most 10 reports a minute in all, so a broken page cannot flood the desk.
 */

const WINDOW_MS = 60_000;
const MAX_PER_WINDOW = 10;
const sentAt = new Map<string, number>();
let windowStart = 0;
let inWindow = 0;

export type ClientLogLevel = 'error' | 'warn' | 'info';

export function reportClientError(level: ClientLogLevel, message: string, stack?: string): void {
  const now = Date.now();
  const text = message.trim().slice(0, 2000) || 'unknown error';
  const last = sentAt.get(text);
  if (last !== undefined && now - last < WINDOW_MS) return;
  if (now - windowStart > WINDOW_MS) {
    windowStart = now;
    inWindow = 0;
  }
  if (inWindow >= MAX_PER_WINDOW) return;
  inWindow += 1;
  sentAt.set(text, now);
  const body = {
    level,
    message: text,
    ...(stack ? { stack: stack.slice(0, 8000) } : {}),
    // never send a guest token: /t/<token> is reduced to /t/…
    url: location.href.replace(/\/t\/[^/?#]+/, '/t/…').slice(0, 2000),
    userAgent: navigator.userAgent.slice(0, 500),
  };
  // plain fetch, not the api module: a failing intake must not report itself
  void fetch('/api/client-logs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    keepalive: true,
  }).catch(() => undefined);
}

export function installClientErrorIntake(): void {
  window.addEventListener('error', (event) => {
    const error: unknown = event.error;
    reportClientError('error', event.message || String(error), error instanceof Error ? error.stack : undefined);
  });
  window.addEventListener('unhandledrejection', (event) => {
    const reason: unknown = event.reason;
    const message = reason instanceof Error ? reason.message : String(reason);
    reportClientError('error', `Unhandled rejection: ${message}`, reason instanceof Error ? reason.stack : undefined);
  });
}
