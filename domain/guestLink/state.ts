import type { Author } from '../shared.js';
import { unreachable } from '../shared.js';
import type { GuestLinkEvent } from './events.js';
import type { GuestLinkScope } from './vocabulary.js';

export interface EmptyGuestLink {
  status: 'EMPTY';
}
export interface ActiveGuestLink {
  /** Issued and not revoked; whether it has expired depends on when you ask (see guestLinkAccess). */
  status: 'ACTIVE';
  tokenHash: string;
  /** The seed its token was derived from (absent: a random token that nothing can rebuild). */
  tokenSeed?: string;
  scope: GuestLinkScope;
  recipientEmail: string | null;
  issuedAt: string;
  expiresAt: string;
  issuedBy: Author;
}
export interface RevokedGuestLink extends Omit<ActiveGuestLink, 'status'> {
  status: 'REVOKED';
  revokedAt: string;
  revokedBy: Author;
}

export type GuestLinkState = EmptyGuestLink | ActiveGuestLink | RevokedGuestLink;

export const initialGuestLinkState: GuestLinkState = Object.freeze({ status: 'EMPTY' });

export function evolveGuestLink(state: GuestLinkState, event: GuestLinkEvent): GuestLinkState {
  const { type, data } = event;
  switch (type) {
    case 'GuestLinkIssued':
      if (state.status !== 'EMPTY') return state;
      return {
        status: 'ACTIVE',
        tokenHash: data.tokenHash,
        ...(data.tokenSeed ? { tokenSeed: data.tokenSeed } : {}),
        scope: data.scope,
        recipientEmail: data.recipientEmail,
        issuedAt: data.issuedAt,
        expiresAt: data.expiresAt,
        issuedBy: data.by,
      };
    case 'GuestLinkRevoked':
      if (state.status !== 'ACTIVE') return state;
      return { ...state, status: 'REVOKED', revokedAt: data.revokedAt, revokedBy: data.by };
    default:
      return unreachable(type);
  }
}
