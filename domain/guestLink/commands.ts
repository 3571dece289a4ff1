import { z } from 'zod';
import type { Command } from '../shared.js';
import {
  DEFAULT_LIFETIME_SECONDS,
  MAX_LIFETIME_SECONDS,
  MIN_LIFETIME_SECONDS,
  guestLinkScopeSchema,
  tokenHashSchema,
  tokenSeedSchema,
} from './vocabulary.js';

export const issueGuestLinkInput = z.object({
  scope: guestLinkScopeSchema,
  recipientEmail: z
    .email({ error: 'must be an email address' })
    .nullish()
    .transform((email) => email ?? null),
  lifetimeSeconds: z
    .number({ error: 'must be a number of seconds' })
    .int({ error: 'must be a whole number of seconds' })
    .min(MIN_LIFETIME_SECONDS, { error: `must be at least ${MIN_LIFETIME_SECONDS} seconds` })
    .max(MAX_LIFETIME_SECONDS, { error: `must be at most ${MAX_LIFETIME_SECONDS} seconds (90 days)` })
    .default(DEFAULT_LIFETIME_SECONDS),
});

export const issueGuestLinkData = issueGuestLinkInput.extend({
  tokenHash: tokenHashSchema,
  tokenSeed: tokenSeedSchema.optional(),
});

/** Parsed at the edge with `issueGuestLinkData`: the decider trusts it. */
export type IssueGuestLink = Command<'IssueGuestLink', z.output<typeof issueGuestLinkData>>;
export type RevokeGuestLink = Command<'RevokeGuestLink', Record<string, never>>;
export type GuestLinkCommand = IssueGuestLink | RevokeGuestLink;
