/**
 * The client-error intake: uncaught errors, unhandled rejections and failed requests go to
 * POST /api/client-logs. Throttled here (the server limits too): the same message at most once a
 * minute, and at most 10 reports a minute in all, so a broken page cannot flood the desk.
 */

const WINDOW_MS = 60_000;
const MAX_PER_WINDOW = 10;
const sentAt = new Map<string, { at: number; recorded: Promise<boolean> }>();
let windowStart = 0;
let inWindow = 0;

export type ClientLogLevel = 'error' | 'warn' | 'info';

/**
 * Sends one report; resolves true once the desk has recorded it (202), or when the same message
 * was recorded less than a minute ago, and false when it was not (throttled here, refused, or the
 * desk unreachable). Never rejects. Only a true answer lets a page say "it has been reported".
 */
export function reportClientError(level: ClientLogLevel, message: string, stack?: string): Promise<boolean> {
  const now = Date.now();
  const text = message.trim().slice(0, 2000) || 'unknown error';
  const last = sentAt.get(text);
  if (last !== undefined && now - last.at < WINDOW_MS) return last.recorded;
  if (now - windowStart > WINDOW_MS) {
    windowStart = now;
    inWindow = 0;
  }
  if (inWindow >= MAX_PER_WINDOW) return Promise.resolve(false);
  inWindow += 1;
  const body = {
    level,
    message: text,
    ...(stack ? { stack: stack.slice(0, 8000) } : {}),
    // never send a guest token: /t/<token> is reduced to /t/…
    url: location.href.replace(/\/t\/[^/?#]+/, '/t/…').slice(0, 2000),
    userAgent: navigator.userAgent.slice(0, 500),
  };
  // plain fetch, not the api module: a failing intake must not report itself. No CSRF token:
  // the intake acts for nobody and ignores cookies (platform/monitoring/clientLogs.ts).
  const recorded = fetch('/api/client-logs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'omit',
    keepalive: true,
    // a page waits for this answer before it shows its error: never for long
    signal: AbortSignal.timeout(5000),
  }).then(
    (res) => res.status === 202,
    () => false,
  );
  sentAt.set(text, { at: now, recorded });
  return recorded;
}

export function installClientErrorIntake(): void {
  window.addEventListener('error', (event) => {
    const error: unknown = event.error;
    void reportClientError('error', event.message || String(error), error instanceof Error ? error.stack : undefined);
  });
  window.addEventListener('unhandledrejection', (event) => {
    const reason: unknown = event.reason;
    const message = reason instanceof Error ? reason.message : String(reason);
    void reportClientError(
      'error',
      `Unhandled rejection: ${message}`,
      reason instanceof Error ? reason.stack : undefined,
    );
  });
}
