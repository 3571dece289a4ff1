import { z } from 'zod';

/** `whsec_` and the base64 of the key, as Resend shows a webhook's signing secret. */
const signingSecret = z
  .string()
  .trim()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be a Resend webhook signing secret: whsec_ and base64')
  .refine((secret) => Buffer.from(secret.slice('whsec_'.length), 'base64').length >= 16, {
    message: 'must hold a key of at least 16 bytes',
  });

/**
 * The environment of what comes back from Resend (merged into app/config.ts). Without
 * RESEND_WEBHOOK_SECRET the webhook route is off: it answers 404 and records nothing.
 */
export const inboundEmailConfigSchema = z.object({
  /** The signing secret of the desk's webhook at Resend. A secret: never logged, never in an event. */
  RESEND_WEBHOOK_SECRET: signingSecret.optional(),
  /** Webhook requests per minute from one client address (Resend sends from a few addresses). */
  RESEND_WEBHOOK_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(600),
});

export type InboundEmailConfig = z.infer<typeof inboundEmailConfigSchema>;
