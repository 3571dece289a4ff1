import { describe, expect, it } from 'vitest';
import {
  guestLinkAccess,
  guestLinkDecider,
  guestLinkStreamName,
  issueGuestLinkData,
  parseCommandData,
  type Author,
  type GuestLinkIssued,
  type GuestLinkRevoked,
  type IssueGuestLink,
  type RevokeGuestLink,
} from '../../../domain/index.js';
import { at, by, iso, partner, staff } from './fixtures.js';
import { refusal, specFor } from './spec.js';
import { threadId } from './threadFixtures.js';

const spec = specFor(guestLinkDecider);
const tokenHash = 'a'.repeat(40) + '0123456789abcdef01234567';
const threadScope = { kind: 'thread', threadId } as const;
const assignmentScope = { kind: 'assignment', assignmentId: 'asg-1042', partnerOrgId: 'org-7' } as const;
const DAY = 24 * 60 * 60;

/** The command as the edge hands it to the decider: its data parsed once, with the domain's schema. */
function issue(data: Record<string, unknown> = {}, author: Author = staff): IssueGuestLink {
  return {
    type: 'IssueGuestLink',
    data: parseCommandData('IssueGuestLink', issueGuestLinkData, { tokenHash, scope: threadScope, ...data }),
    metadata: by(author, 0),
  };
}

function issued(data: Partial<GuestLinkIssued['data']> = {}): GuestLinkIssued {
  return {
    type: 'GuestLinkIssued',
    data: {
      tokenHash,
      scope: threadScope,
      recipientEmail: null,
      issuedAt: iso(0),
      expiresAt: iso(7 * 24 * 60),
      by: staff,
      ...data,
    },
  };
}

const revoke = (author: Author = staff, minutes = 60): RevokeGuestLink => ({
  type: 'RevokeGuestLink',
  data: {},
  metadata: by(author, minutes),
});
const revoked = (minutes = 60): GuestLinkRevoked => ({
  type: 'GuestLinkRevoked',
  data: { tokenHash, revokedAt: iso(minutes), by: staff },
});

describe('IssueGuestLink', () => {
  it('the stream of a link is guestLink-<token hash>', () => {
    expect(guestLinkStreamName(tokenHash)).toBe(`guestLink-${tokenHash}`);
  });

  it('when a thread link is issued with no lifetime, then it lasts 7 days and has no recipient', () => {
    spec.given([]).when(issue()).then([issued()]);
  });

  it('when an assignment link is issued to an email for one hour, then it records both', () => {
    spec
      .given([])
      .when(issue({ scope: assignmentScope, recipientEmail: 'guest@example.org', lifetimeSeconds: 3600 }))
      .then([issued({ scope: assignmentScope, recipientEmail: 'guest@example.org', expiresAt: iso(60) })]);
  });

  it.each([
    ['60 seconds (the shortest)', 60, new Date(at(0).getTime() + 60_000).toISOString()],
    ['90 days (the longest)', 90 * DAY, iso(90 * 24 * 60)],
  ])('when the lifetime is %s, then it is accepted', (_, lifetimeSeconds, expiresAt) => {
    spec
      .given([])
      .when(issue({ lifetimeSeconds }))
      .then([issued({ expiresAt })]);
  });

  it.each([
    ['59 seconds', { lifetimeSeconds: 59 }, 'lifetimeSeconds'],
    ['90 days and a second', { lifetimeSeconds: 90 * DAY + 1 }, 'lifetimeSeconds'],
    ['a fraction of a second', { lifetimeSeconds: 60.5 }, 'lifetimeSeconds'],
    ['an upper-case hash', { tokenHash: tokenHash.toUpperCase() }, 'tokenHash'],
    ['a 63-character hash', { tokenHash: tokenHash.slice(1) }, 'tokenHash'],
    ['a raw token instead of its hash', { tokenHash: 'gst_Qm9vbGVhbiBsb2dpYyBpcyBmdW4' }, 'tokenHash'],
    ['a bad recipient email', { recipientEmail: 'not-an-email' }, 'recipientEmail'],
    ['a thread scope without a UUID', { scope: { kind: 'thread', threadId: 'x' } as const }, 'scope.threadId'],
  ])('when it has %s, then parsing refuses it naming the field', (_, data, path) => {
    const error = refusal(() => issue(data));
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'rule', code: 'invalid_command' });
    expect(error.details.issues?.map((i) => i.path)).toEqual([path]);
  });

  it('when the link already exists, then it is a conflict', () => {
    spec.given([issued()]).when(issue()).thenThrows('conflict', 'guest_link_exists');
  });

  it('when a partner issues a link, then it is forbidden', () => {
    spec.given([]).when(issue({}, partner)).thenThrows('forbidden', 'author_not_allowed');
  });
});

describe('RevokeGuestLink', () => {
  it('when an active link is revoked, then it is revoked', () => {
    spec.given([issued()]).when(revoke()).then([revoked()]);
  });

  it('when a revoked link is revoked again, then nothing happens', () => {
    spec.given([issued(), revoked()]).when(revoke()).thenNothingHappens();
  });

  it('when the link does not exist, then it is not found', () => {
    spec.given([]).when(revoke()).thenThrows('not_found', 'guest_link_not_found');
  });

  it('when a partner revokes a link, then it is forbidden', () => {
    spec.given([issued()]).when(revoke(partner)).thenThrows('forbidden', 'author_not_allowed');
  });
});

describe('guestLinkAccess', () => {
  const expiresAt = issued().data.expiresAt;
  const justBefore = new Date(Date.parse(expiresAt) - 1);

  it('when the link was never issued, then it is unknown', () => {
    expect(guestLinkAccess(spec.given([]).state(), at(0))).toEqual({ ok: false, reason: 'unknown' });
  });

  it('when it is used before it expires, then it grants its scope', () => {
    const state = spec.given([issued({ recipientEmail: 'guest@example.org' })]).state();
    expect(guestLinkAccess(state, justBefore)).toEqual({
      ok: true,
      scope: threadScope,
      recipientEmail: 'guest@example.org',
      expiresAt,
    });
  });

  it('when it is used at the instant it expires, or after, then it is expired', () => {
    const state = spec.given([issued()]).state();
    expect(guestLinkAccess(state, new Date(expiresAt))).toEqual({ ok: false, reason: 'expired' });
    expect(guestLinkAccess(state, at(8 * 24 * 60))).toEqual({ ok: false, reason: 'expired' });
  });

  it('when it was revoked, then it is refused as revoked, even before it expires', () => {
    expect(guestLinkAccess(spec.given([issued(), revoked()]).state(), at(61))).toEqual({
      ok: false,
      reason: 'revoked',
    });
  });

  it('the state of a revoked link keeps who issued and who revoked it', () => {
    expect(spec.given([issued(), revoked(90)]).state()).toMatchObject({
      status: 'REVOKED',
      issuedBy: staff,
      revokedBy: staff,
      revokedAt: iso(90),
    });
  });
});
