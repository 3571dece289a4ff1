import { z } from 'zod';
import { authorSchema, isoTimestamp } from '../shared.js';
import { guestLinkScopeSchema, tokenHashSchema } from './vocabulary.js';

export const guestLinkIssuedData = z.object({
  tokenHash: tokenHashSchema,
  scope: guestLinkScopeSchema,
  /** Who the link was sent to (staff replies are emailed there too); null when handed over otherwise. */
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
