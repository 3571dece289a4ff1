/** How an email leaves the desk: Resend, or the local development mailbox. */

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
}

export type SendOutcome =
  | { ok: true; providerId: string }
  | {
      ok: false;
      /** retry: try again later; permanent: the provider refused this email for good. */
      kind: 'retry' | 'permanent';
      /** The provider's error name (`validation_error`, …), or `network_error`. */
      errorName: string;
      reason: string;
      /** null: no HTTP answer (network error, timeout, dropped connection). */
      statusCode: number | null;
      /** From Retry-After, when the provider sent one. */
      retryAfterMs?: number;
    };

export interface EmailTransport {
  readonly kind: 'resend' | 'dev_mailbox';
  /**
   * Sends one email. Never throws for a provider or network failure: answers an outcome.
   * `idempotencyKey` makes a repeat of the same request answer the first result.
   */
  send(email: OutgoingEmail, options: { idempotencyKey: string; timeoutMs: number }): Promise<SendOutcome>;
}

/** Resend's errors that no retry can fix (https://resend.com/docs/api-reference/errors). */
const permanentErrors = new Set([
  'validation_error',
  'missing_required_field',
  'invalid_from_address',
  'invalid_attachment',
  'invalid_parameter',
  'invalid_region',
  'invalid_idempotency_key',
  'invalid_idempotent_request',
  'daily_quota_exceeded',
  'monthly_quota_exceeded',
  'missing_api_key',
  'invalid_api_key',
  'restricted_api_key',
  'invalid_access',
  'security_error',
  'not_found',
  'method_not_allowed',
]);

/** Errors worth another try: the same request may well succeed later. */
const retryableErrors = new Set([
  'rate_limit_exceeded',
  'concurrent_idempotent_requests',
  'internal_server_error',
  'application_error',
]);

/**
 * Retry rate limits, concurrent idempotent requests, 5xx and network errors (no status);
 * never validation, quota or invalid_idempotent_request. An unknown error retries when its
 * status says the server (5xx), the network (none) or the pace (408, 429) was the problem.
 */
export function classifyProviderError(name: string, statusCode: number | null): 'retry' | 'permanent' {
  if (permanentErrors.has(name)) return 'permanent';
  if (statusCode === null || statusCode >= 500) return 'retry';
  if (retryableErrors.has(name) && name !== 'application_error') return 'retry';
  if (statusCode === 408 || statusCode === 429) return 'retry';
  return 'permanent';
}

/** Retry-After: delta seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
