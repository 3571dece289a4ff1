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

/** `staff` issues a guest link to one thread (recipient, lifetime... in `body`); it must be accepted (201). */
export function issueThreadLink(
  staff: Requester,
  threadId: string,
  body: Record<string, unknown> = {},
): Promise<IssuedGuestLink> {
  return ok(staff.request<IssuedGuestLink>('POST', `/api/support/threads/${threadId}/guest-links`, body));
}

/** `staff` issues a guest link to a whole assignment; it must be accepted (201). */
export function issueAssignmentLink(
  staff: Requester,
  assignmentId: string,
  body: Record<string, unknown> = {},
): Promise<IssuedGuestLink> {
  return ok(staff.request<IssuedGuestLink>('POST', `/api/support/assignments/${assignmentId}/guest-links`, body));
}
