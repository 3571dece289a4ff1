import { DomainError, requireAuthor, unreachable } from '../shared.js';
import type { GuestLinkCommand, IssueGuestLink, RevokeGuestLink } from './commands.js';
import type { GuestLinkEvent, GuestLinkIssued, GuestLinkRevoked } from './events.js';
import type { GuestLinkState } from './state.js';

export function issueGuestLink(command: IssueGuestLink, state: GuestLinkState): GuestLinkIssued[] {
  const { author, now } = command.metadata;
  requireAuthor(author, ['staff', 'system'], 'issue a guest link');
  const { data } = command;
  if (state.status !== 'EMPTY')
    throw new DomainError('conflict', 'guest_link_exists', 'this guest link already exists');
  return [
    {
      type: 'GuestLinkIssued',
      data: {
        tokenHash: data.tokenHash,
        ...(data.tokenSeed ? { tokenSeed: data.tokenSeed } : {}),
        scope: data.scope,
        recipientEmail: data.recipientEmail,
        issuedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + data.lifetimeSeconds * 1000).toISOString(),
        by: author,
      },
    },
  ];
}

export function revokeGuestLink(command: RevokeGuestLink, state: GuestLinkState): GuestLinkRevoked[] {
  const { author, now } = command.metadata;
  requireAuthor(author, ['staff', 'system'], 'revoke a guest link');
  switch (state.status) {
    case 'EMPTY':
      throw new DomainError('not_found', 'guest_link_not_found', 'guest link not found');
    case 'REVOKED':
      return [];
    case 'ACTIVE':
      return [
        { type: 'GuestLinkRevoked', data: { tokenHash: state.tokenHash, revokedAt: now.toISOString(), by: author } },
      ];
    default:
      return unreachable(state);
  }
}

export function decideGuestLink(command: GuestLinkCommand, state: GuestLinkState): GuestLinkEvent[] {
  const { type } = command;
  switch (type) {
    case 'IssueGuestLink':
      return issueGuestLink(command, state);
    case 'RevokeGuestLink':
      return revokeGuestLink(command, state);
    default:
      return unreachable(type);
  }
}
