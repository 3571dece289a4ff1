import { Resend } from 'resend';
import {
  classifyProviderError,
  parseRetryAfter,
  type EmailTransport,
  type OutgoingEmail,
  type SendOutcome,
} from './emailTransport.js';

export const DEFAULT_RESEND_BASE_URL = 'https://api.resend.com';

/**
 * Sends through the `resend` SDK, which never throws: it answers `{ data, error, headers }`,
 * with `error.statusCode` null for network failures. The API key lives only in the SDK client;
 * nothing here logs or returns it.
 */
export class ResendTransport implements EmailTransport {
  readonly kind = 'resend' as const;
  private readonly client: Resend;

  constructor(options: { apiKey: string; baseUrl?: string }) {
    const baseUrl = (options.baseUrl ?? DEFAULT_RESEND_BASE_URL).replace(/\/+$/, '');
    this.client = new Resend(options.apiKey, { baseUrl });
  }

  async send(email: OutgoingEmail, options: { idempotencyKey: string; timeoutMs: number }): Promise<SendOutcome> {
    try {
      // Reply-To goes in Resend's own field (its documented way), the threading headers as custom headers
      const { 'Reply-To': replyTo, ...headers_ } = email.headers;
      const { data, error, headers } = await this.client.emails.send(
        {
          from: email.from,
          to: email.to,
          subject: email.subject,
          html: email.html,
          text: email.text,
          headers: headers_,
          ...(replyTo ? { replyTo } : {}),
        },
        { idempotencyKey: options.idempotencyKey, signal: AbortSignal.timeout(options.timeoutMs) },
      );
      if (error) {
        const statusCode = typeof error.statusCode === 'number' ? error.statusCode : null;
        const errorName = statusCode === null ? 'network_error' : String(error.name ?? 'application_error');
        const retryAfterMs = parseRetryAfter(headers?.['retry-after']);
        return {
          ok: false,
          kind: statusCode === null ? 'retry' : classifyProviderError(errorName, statusCode),
          errorName,
          reason: describe(error.message, statusCode),
          statusCode,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        };
      }
      if (!data?.id) {
        return {
          ok: false,
          kind: 'retry',
          errorName: 'application_error',
          reason: 'no email id in the answer',
          statusCode: null,
        };
      }
      return { ok: true, providerId: data.id };
    } catch (thrown) {
      // The SDK catches fetch failures itself; anything else is unexpected but still worth a retry.
      return {
        ok: false,
        kind: 'retry',
        errorName: 'network_error',
        reason: describe((thrown as Error).message, null),
        statusCode: null,
      };
    }
  }
}

function describe(message: unknown, statusCode: number | null): string {
  const text = typeof message === 'string' && message.trim() ? message.trim() : 'no message';
  return (statusCode === null ? `no answer from the email provider (${text})` : `${text} (HTTP ${statusCode})`).slice(
    0,
    500,
  );
}
