/** Who is asking. Resolved once per request (or websocket upgrade) by the identity middleware. */

export const staffRoles = ['admin', 'agent', 'auditor', 'ops'] as const;
export type StaffRole = (typeof staffRoles)[number];

/** Every role a route or channel can admit. `host` is the host platform's service identity. */
export const roles = [...staffRoles, 'partner', 'guest', 'host'] as const;
export type Role = (typeof roles)[number];

/** `can_manage_support`: who works the inbox. */
export const supportManagers: Role[] = ['admin', 'agent'];

/**
 * What a guest link grants, as recorded when it was issued: one thread, or the threads of one
 * assignment in the partner organisation that owned it then (`partnerOrgId`).
 */
export type GuestScope =
  { kind: 'thread'; threadId: string } | { kind: 'assignment'; assignmentId: string; partnerOrgId: string };

/** What a thread's visibility is judged by; all three are fixed when the thread is raised. */
export interface ThreadKey {
  threadId: string;
  partnerOrgId: string;
  assignmentId: string;
}

/**
 * Whether a guest link covers an assignment as the directory has it now: the link's
 * assignment, still in the organisation the link was issued for. An assignment moved to
 * another organisation is not the link's any more (no listing, no new query on it).
 */
export function guestScopeCoversAssignment(
  scope: GuestScope,
  assignment: { assignmentId: string; partnerOrgId: string },
): boolean {
  return (
    scope.kind === 'assignment' &&
    scope.assignmentId === assignment.assignmentId &&
    scope.partnerOrgId === assignment.partnerOrgId
  );
}

/**
 * Whether a guest link covers a thread: its own thread, or a thread of its assignment raised in
 * the organisation the link was issued for. A link grants what it granted at issue, whatever
 * the directory says later.
 */
export function guestScopeCoversThread(scope: GuestScope, thread: ThreadKey): boolean {
  return scope.kind === 'thread'
    ? scope.threadId === thread.threadId
    : scope.assignmentId === thread.assignmentId && scope.partnerOrgId === thread.partnerOrgId;
}

/**
 * Whether a partner or guest may read a thread (its public view): a partner their
 * organisation's, a guest what their link covers. The one rule of HTTP reads, commands and
 * live pushes. Staff read everything (through their own view); other identities nothing.
 */
export function publicReaderMayRead(identity: Identity, thread: ThreadKey): boolean {
  switch (identity.kind) {
    case 'partner':
      return identity.partnerOrgId === thread.partnerOrgId;
    case 'guest':
      return guestScopeCoversThread(identity.scope, thread);
    default:
      return false;
  }
}

export type Identity =
  | { kind: 'anonymous' }
  | {
      kind: 'staff';
      role: StaffRole;
      accountId: string;
      name: string;
      email: string;
      via: 'session' | 'jwt';
      /** When the session ends (set where a connection outlives the request: the live push). */
      expiresAt?: string;
    }
  | {
      kind: 'partner';
      role: 'partner';
      accountId: string;
      partnerOrgId: string;
      name: string;
      email: string;
      via: 'session' | 'jwt';
      /** When the session ends (set where a connection outlives the request: the live push). */
      expiresAt?: string;
    }
  | { kind: 'guest'; role: 'guest'; linkId: string; scope: GuestScope; recipientEmail?: string; expiresAt: string }
  | { kind: 'host'; role: 'host'; subject: string };

/** A person who signed in or holds a guest link (not the host platform, not anonymous). */
export type PersonIdentity = Extract<Identity, { kind: 'staff' | 'partner' | 'guest' }>;

/** How events and presence name a person: their kind, a stable id, and a name to show. */
export function personOf(identity: PersonIdentity): { kind: PersonIdentity['kind']; id: string; name: string } {
  switch (identity.kind) {
    case 'staff':
    case 'partner':
      return { kind: identity.kind, id: identity.accountId, name: identity.name };
    case 'guest':
      return { kind: 'guest', id: identity.linkId, name: identity.recipientEmail ?? 'Guest' };
  }
}

export function roleOf(identity: Identity): Role | undefined {
  return identity.kind === 'anonymous' ? undefined : identity.role;
}

export const anonymous: Identity = Object.freeze({ kind: 'anonymous' });
