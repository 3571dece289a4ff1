import { describe, expect, it } from 'vitest';
import { emailConfigSchema } from '../../../workers/email/emailConfig.js';
import { classifyProviderError, parseRetryAfter } from '../../../workers/email/emailTransport.js';
import { escapeHtml, plainLine, renderEmail } from '../../../workers/email/templates.js';

/** The small rules the worker lives by, checked without a server. */
describe('email policy', () => {
  it('retries rate limits, concurrent idempotent requests, 5xx and network errors; never validation, quota or invalid_idempotent_request', () => {
    expect(classifyProviderError('rate_limit_exceeded', 429)).toBe('retry');
    expect(classifyProviderError('concurrent_idempotent_requests', 409)).toBe('retry');
    expect(classifyProviderError('internal_server_error', 500)).toBe('retry');
    expect(classifyProviderError('application_error', 503)).toBe('retry');
    expect(classifyProviderError('network_error', null)).toBe('retry');
    expect(classifyProviderError('validation_error', 422)).toBe('permanent');
    expect(classifyProviderError('daily_quota_exceeded', 429)).toBe('permanent');
    expect(classifyProviderError('monthly_quota_exceeded', 429)).toBe('permanent');
    expect(classifyProviderError('invalid_idempotent_request', 409)).toBe('permanent');
    expect(classifyProviderError('something_new', 400)).toBe('permanent');
    expect(classifyProviderError('something_new', 429)).toBe('retry');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('escapes HTML and keeps header values on one line', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(plainLine('a\r\nBcc: b@example.com\t c')).toBe('a Bcc: b@example.com c');
  });

  it('renders the same email for the same input', () => {
    const content = {
      template: 'thread_resolved' as const,
      thread: { threadId: '0b6f4c1e-0000-4000-8000-000000000001', subject: 'S', reference: 'A-1' },
      eventId: '0b6f4c1e-0000-4000-8000-000000000002',
    };
    const settings = { portalBaseUrl: 'https://d.example', supportEmail: 'help@d.example' };
    expect(renderEmail(content, { audience: 'partner' }, settings)).toEqual(
      renderEmail(content, { audience: 'partner' }, settings),
    );
    // the headers are decided with the email's row (tests/unit/email/threadingHeaders.unit.test.ts)
    expect(Object.keys(renderEmail(content, { audience: 'partner' }, settings)).sort()).toEqual([
      'html',
      'subject',
      'text',
    ]);
  });

  it('parses the email config with its defaults', () => {
    expect(emailConfigSchema.parse({})).toEqual({
      EMAIL_FROM: 'Support desk <support@example.com>',
      EMAIL_MAX_ATTEMPTS: 8,
      EMAIL_POLL_MS: 500,
    });
    expect(emailConfigSchema.safeParse({ RESEND_BASE_URL: 'not a url' }).success).toBe(false);
    expect(emailConfigSchema.parse({ EMAIL_MAX_ATTEMPTS: '3' }).EMAIL_MAX_ATTEMPTS).toBe(3);
  });
});
