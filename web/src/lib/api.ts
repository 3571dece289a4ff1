import { reportClientError } from './clientLogs';

/**
 * Every call to the desk's API. Sessions ride on cookies; writes echo the sd_csrf cookie in
 * X-CSRF-Token; a guest page sends its link's token in X-Guest-Token. Errors arrive as RFC 9457
 * problem+json and become an ApiError whose field errors are keyed by field name.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly code: string | undefined,
    /** `body.whatsappNumber` → `whatsappNumber` */
    readonly fieldErrors: Record<string, string>,
    /** The desk recorded a report of this error (POST /api/client-logs answered 202). */
    readonly reported = false,
  ) {
    super(detail ?? title);
    this.name = 'ApiError';
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }
}

let guestToken: string | null = null;

/** The guest page sets its link's token; every request then carries it. */
export function setGuestToken(token: string | null): void {
  guestToken = token;
}

export function getGuestToken(): string | null {
  return guestToken;
}

/**
 * Who the request acts for: a guest page's link token, or for a signed-in write the CSRF token
 * (the session cookie itself rides along). The uploads' XMLHttpRequest sends the same.
 */
export function identityHeaders(method: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (guestToken) headers['x-guest-token'] = guestToken;
  if (method !== 'GET') {
    const csrf = csrfToken();
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  return headers;
}

function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'sd_csrf') return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

export interface RequestOptions {
  /** Read-your-writes: the position a command answered; the read waits until it reflects it. */
  waitFor?: string | null | undefined;
  signal?: AbortSignal | undefined;
  headers?: Record<string, string> | undefined;
  /** The browser cache's part (`no-cache`: ask the desk, even when a cached answer is still fresh). */
  cache?: RequestCache | undefined;
  /** Query parameters; empty values are left out. */
  query?: Record<string, string | number | undefined | null> | undefined;
}

const unauthorizedListeners = new Set<() => void>();
/** Called when a signed-in request answers 401 (the session ended elsewhere). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

function fieldName(path: string): string {
  return path.replace(/^(body|query|params|headers)\./, '');
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(options.query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  if (options.waitFor) params.set('waitFor', options.waitFor);
  const url = params.size ? `${path}${path.includes('?') ? '&' : '?'}${params}` : path;
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...options.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, identityHeaders(method));

  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.cache ? { cache: options.cache } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    void reportClientError('warn', `network error: ${method} ${path}`);
    throw new ApiError(
      0,
      'Network error',
      'The desk could not be reached. Check your connection and try again.',
      'network',
      {},
    );
  }

  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (res.ok) return parsed as T;

  // wait for the intake's answer: the error text says "reported" only when it was
  const reported =
    res.status >= 500 ? await reportClientError('error', `${method} ${path} answered ${res.status}`) : false;
  const error = problemError(res.status, res.statusText, parsed, reported);
  if (res.status === 401 && !guestToken && error.code !== 'invalid_link' && !path.startsWith('/api/auth/')) {
    for (const listener of unauthorizedListeners) listener();
  }
  throw error;
}

/** A refusal's problem+json body (or whatever came instead) as an ApiError. */
export function problemError(status: number, statusText: string, parsed: unknown, reported = false): ApiError {
  const problem = (parsed && typeof parsed === 'object' ? parsed : {}) as {
    title?: string;
    detail?: string;
    code?: string;
    errors?: { path: string; message: string }[];
  };
  const fieldErrors: Record<string, string> = {};
  for (const e of Array.isArray(problem.errors) ? problem.errors : []) {
    const name = fieldName(e.path);
    fieldErrors[name] = fieldErrors[name] ? `${fieldErrors[name]}; ${e.message}` : e.message;
  }
  return new ApiError(status, problem.title ?? statusText, problem.detail, problem.code, fieldErrors, reported);
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, undefined, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, body ?? {}, options),
  put: <T>(path: string, body: unknown, options?: RequestOptions) => request<T>('PUT', path, body, options),
  del: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, undefined, options),
};

/**
 * A human sentence for any error, for the error states. The desk writes every refusal's `detail`
 * for people (platform/http/plainWords.ts); these are for answers that carry none (a proxy's 502).
 */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.isNetwork) return error.detail ?? 'The desk could not be reached.';
    const reported = error.reported ? ' It has been reported.' : '';
    if (error.detail) return capitalise(error.detail) + (error.status >= 500 ? reported : '');
    if (error.status === 403) return 'You do not have access to this.';
    if (error.status === 404) return 'This could not be found.';
    if (error.status === 429) return 'Too many requests. Wait a moment and try again.';
    if (error.status >= 500) {
      return error.reported
        ? 'Something went wrong on our side. It has been reported; try again shortly.'
        : 'Something went wrong on our side. Try again shortly.';
    }
    return capitalise(error.title);
  }
  return error instanceof Error ? error.message : String(error);
}

function capitalise(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
