import { z } from 'zod';

/**
 * The environment the email worker reads (merged into app/config.ts). Without
 * RESEND_API_KEY, emails go to the development mailbox (`dev_mailbox`) instead of Resend.
 */
export const emailConfigSchema = z.object({
  /** Resend API key (`re_…`). A secret: never logged, never in an event. */
  RESEND_API_KEY: z.string().trim().min(1).optional(),
  /** Any Resend-compatible server (a test double, a relay); default https://api.resend.com. */
  RESEND_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The From of every email: `Name <address>` or a bare address. */
  EMAIL_FROM: z.string().trim().min(3).default('Support desk <support@example.com>'),
  /** Sends per email before it is dead-lettered (retryable errors only). */
  EMAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** How often the worker looks for due emails and new events when nothing wakes it. */
  EMAIL_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  /**
   * The domain replies come in at (Resend's inbound domain). Set: every email to a partner or
   * guest about a thread has a signed `Reply-To: reply+<thread>.<signature>@<domain>`. Unset: no Reply-To.
   */
  INBOUND_EMAIL_DOMAIN: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain name')
    .optional(),
});

export type EmailConfig = z.infer<typeof emailConfigSchema>;

/** Where emails go: Resend (with a key) or the local development mailbox. */
export function emailDeliveryMode(config: Pick<EmailConfig, 'RESEND_API_KEY'>): 'resend' | 'dev_mailbox' {
  return config.RESEND_API_KEY ? 'resend' : 'dev_mailbox';
}

/**
 * The reply domain of the development mailbox (RFC 6761 keeps `.localhost` off the internet): without
 * RESEND_API_KEY and INBOUND_EMAIL_DOMAIN, emails still carry signed reply addresses there, so
 * "Reply as the recipient" goes through the same signature check as a real reply.
 */
export const DEV_INBOUND_EMAIL_DOMAIN = 'inbound.localhost';

/** Where replies come in: INBOUND_EMAIL_DOMAIN; else, for the development mailbox, its own domain; else none. */
export function inboundDomainOf(
  config: Pick<EmailConfig, 'RESEND_API_KEY' | 'INBOUND_EMAIL_DOMAIN'>,
): string | undefined {
  return (
    config.INBOUND_EMAIL_DOMAIN ?? (emailDeliveryMode(config) === 'dev_mailbox' ? DEV_INBOUND_EMAIL_DOMAIN : undefined)
  );
}
