import { z } from 'zod';
import { EXTERNAL_ID_MAX } from '../thread/vocabulary.js';

/** Lowercase hex SHA-256 of the raw token. The domain never sees a raw token. */
export const tokenHashSchema = z
  .string({ error: 'must be a string' })
  .regex(/^[0-9a-f]{64}$/, { error: 'must be a lowercase hex SHA-256 (64 characters)' });

/**
 * The public half of a derived token: the token is HMAC-SHA256(server secret, seed), so the seed
 * alone opens nothing. 16 bytes, base64url. Absent on links whose token was random.
 */
export const tokenSeedSchema = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9_-]{22}$/, { error: 'must be a token seed (22 base64url characters)' });

export const guestLinkStreamPrefix = 'guestLink-';

export function guestLinkStreamName(tokenHash: string): string {
  return `${guestLinkStreamPrefix}${tokenHash}`;
}

export const MIN_LIFETIME_SECONDS = 60;
export const MAX_LIFETIME_SECONDS = 90 * 24 * 60 * 60;
export const DEFAULT_LIFETIME_SECONDS = 7 * 24 * 60 * 60;

const externalId = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(EXTERNAL_ID_MAX, { error: `must be at most ${EXTERNAL_ID_MAX} characters` });

/** One thread, or every thread of one assignment (the guest may then raise a query on it). */
export const guestLinkScopeSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('thread'), threadId: z.uuid({ error: 'must be a UUID' }) }),
    z.object({ kind: z.literal('assignment'), assignmentId: externalId, partnerOrgId: externalId }),
  ],
  { error: "kind must be 'thread' or 'assignment'" },
);
export type GuestLinkScope = z.infer<typeof guestLinkScopeSchema>;
