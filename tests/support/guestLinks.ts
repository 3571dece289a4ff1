import type { Requester } from './raiseQuery.js';
import { ok } from './testDesk.js';

/** The answer to an issued guest link: the token is shown this once. */
export interface IssuedGuestLink {
  token: string;
  linkId: string;
  url: string;
  expiresAt: string;
  position: string;
}

/**
 * `staff` issues a guest link to one thread (`{ threadId }`) or to a whole assignment
 * (`{ assignmentId }`), with `body` (recipient, lifetime...); it must be accepted (201).
 */
function issueGuestLink(
  staff: Requester,
  to: { threadId: string } | { assignmentId: string },
  body: Record<string, unknown>,
): Promise<IssuedGuestLink> {
  const path =
    'threadId' in to
      ? `/api/support/threads/${to.threadId}/guest-links`
      : `/api/support/assignments/${to.assignmentId}/guest-links`;
  return ok(staff.request<IssuedGuestLink>('POST', path, body));
}

export const issueThreadLink = (staff: Requester, threadId: string, body: Record<string, unknown> = {}) =>
  issueGuestLink(staff, { threadId }, body);

export const issueAssignmentLink = (staff: Requester, assignmentId: string, body: Record<string, unknown> = {}) =>
  issueGuestLink(staff, { assignmentId }, body);
