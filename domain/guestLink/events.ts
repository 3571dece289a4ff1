import { z } from 'zod';
import { authorSchema, isoTimestamp } from '../shared.js';
import { guestLinkScopeSchema, tokenHashSchema, tokenSeedSchema } from './vocabulary.js';

export const guestLinkIssuedData = z.object({
  tokenHash: tokenHashSchema,
  /** What the token was derived from with the server's secret (so email can carry it); absent: a random token. */
  tokenSeed: tokenSeedSchema.optional(),
  scope: guestLinkScopeSchema,
  /** Who the link is emailed to (and staff replies after it); null when handed over otherwise. */
  recipientEmail: z.email().nullable(),
  issuedAt: isoTimestamp,
  expiresAt: isoTimestamp,
  by: authorSchema,
});

export const guestLinkRevokedData = z.object({
  tokenHash: tokenHashSchema,
  revokedAt: isoTimestamp,
  by: authorSchema,
});

export const guestLinkIssuedEvent = z.object({ type: z.literal('GuestLinkIssued'), data: guestLinkIssuedData });
export const guestLinkRevokedEvent = z.object({ type: z.literal('GuestLinkRevoked'), data: guestLinkRevokedData });

export type GuestLinkIssued = z.infer<typeof guestLinkIssuedEvent>;
export type GuestLinkRevoked = z.infer<typeof guestLinkRevokedEvent>;
export type GuestLinkEvent = GuestLinkIssued | GuestLinkRevoked;

export const guestLinkEventTypes = [
  'GuestLinkIssued',
  'GuestLinkRevoked',
] as const satisfies readonly GuestLinkEvent['type'][];
