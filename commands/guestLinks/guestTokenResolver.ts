import { guestLinkAccess, guestLinkDecider, guestLinkStreamName } from '../../domain/index.js';
import type { EventStore } from '../../eventstore/port.js';
import type { Identity } from '../../platform/identity/identity.js';
import { loadStream } from '../commandHandler.js';
import { hashGuestToken, looksLikeGuestToken } from './guestToken.js';

/**
 * Turns a raw guest token into a guest identity by reading the link's own stream, not a read
 * model: a revoked or expired link stops working at once. Every failure answers the same.
 */
export function createGuestTokenResolver(eventStore: EventStore, clock: () => Date) {
  return async (rawToken: string): Promise<Identity | 'refused'> => {
    if (!looksLikeGuestToken(rawToken)) return 'refused';
    const tokenHash = hashGuestToken(rawToken);
    const { state } = await loadStream(eventStore, guestLinkDecider, guestLinkStreamName(tokenHash));
    const access = guestLinkAccess(state, clock());
    if (!access.ok) return 'refused';
    return {
      kind: 'guest',
      role: 'guest',
      linkId: tokenHash,
      scope: access.scope,
      ...(access.recipientEmail ? { recipientEmail: access.recipientEmail } : {}),
      expiresAt: access.expiresAt,
    };
  };
}
