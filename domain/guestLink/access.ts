import type { GuestLinkState } from './state.js';
import type { GuestLinkScope } from './vocabulary.js';

export type GuestLinkAccess =
  | { ok: true; scope: GuestLinkScope; recipientEmail: string | null; expiresAt: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' };

/** May this link be used at `now`? A link is expired from its `expiresAt` instant on. */
export function guestLinkAccess(state: GuestLinkState, now: Date): GuestLinkAccess {
  switch (state.status) {
    case 'EMPTY':
      return { ok: false, reason: 'unknown' };
    case 'REVOKED':
      return { ok: false, reason: 'revoked' };
    case 'ACTIVE':
      if (now.getTime() >= Date.parse(state.expiresAt)) return { ok: false, reason: 'expired' };
      return { ok: true, scope: state.scope, recipientEmail: state.recipientEmail, expiresAt: state.expiresAt };
  }
}
