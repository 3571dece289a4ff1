/** Who is asking. Resolved once per request (or websocket upgrade) by the identity middleware. */

export const staffRoles = ['admin', 'agent', 'auditor', 'ops'] as const;
export type StaffRole = (typeof staffRoles)[number];

/** Every role a route or channel can admit. `host` is the host platform's service identity. */
export const roles = [...staffRoles, 'partner', 'guest', 'host'] as const;
export type Role = (typeof roles)[number];

/** `can_manage_support`: who works the inbox. */
export const supportManagers: Role[] = ['admin', 'agent'];

export type GuestScope =
  { kind: 'thread'; threadId: string } | { kind: 'assignment'; assignmentId: string; partnerOrgId: string };

export type Identity =
  | { kind: 'anonymous' }
  | { kind: 'staff'; role: StaffRole; accountId: string; name: string; email: string; via: 'session' | 'jwt' }
  | {
      kind: 'partner';
      role: 'partner';
      accountId: string;
      partnerOrgId: string;
      name: string;
      email: string;
      via: 'session' | 'jwt';
    }
  | { kind: 'guest'; role: 'guest'; linkId: string; scope: GuestScope; recipientEmail?: string; expiresAt: string }
  | { kind: 'host'; role: 'host'; subject: string };

export function roleOf(identity: Identity): Role | undefined {
  return identity.kind === 'anonymous' ? undefined : identity.role;
}

export const anonymous: Identity = Object.freeze({ kind: 'anonymous' });
