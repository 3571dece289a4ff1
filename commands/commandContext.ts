import type { Author } from '../domain/shared.js';
import type { AttachmentStore } from '../platform/attachments/attachmentStore.js';
import type { EventStore, Actor } from '../eventstore/port.js';
import { personOf, type Identity } from '../platform/identity/identity.js';
import { problems } from '../platform/http/problem.js';
import type { RouteContext } from '../platform/http/route.js';
import type { AssignmentDirectory } from './assignmentDirectory/assignmentDirectory.js';
import type { CommandOutcome } from './commandHandler.js';
import type { GuestTokens } from './guestLinks/guestToken.js';
import type { IdempotencyStore } from './idempotency.js';
import type { ServiceLevelPolicies } from './serviceLevels/serviceLevelPolicies.js';
import type { SurveyTokens } from './satisfaction/satisfactionToken.js';

/** What every command route needs; passed in, never imported as globals. */
export interface CommandDependencies {
  eventStore: EventStore;
  idempotency: IdempotencyStore;
  directory: AssignmentDirectory;
  /** Is this a staff member who can be assigned threads? */
  isAssignableStaff(accountId: string): Promise<{ name: string } | undefined>;
  /** Portal base URL for links shown to people (from the system config). */
  portalBaseUrl(): Promise<string>;
  /** Where this desk serves (`http://host:port`): the portal base URL until an admin sets one. */
  servedOrigin(): string;
  clock: () => Date;
  /** Mints guest link tokens from the guest link secret (GUEST_LINK_SECRET). */
  guestTokens: GuestTokens;
  /** Mints satisfaction survey tokens from the same secret (the email worker rebuilds them). */
  surveyTokens: SurveyTokens;
  /** A survey was answered: counted by rating (support_desk_satisfaction_ratings_total). */
  onSatisfactionRated?: (rating: string) => void;
  /** Uploaded files: staged, then claimed by the message that carries them. */
  attachments: AttachmentStore;
  /** A file was stored: the virus scanner of this process looks at once. */
  onFileStored?: () => void;
  /** The calendars and policies: a raised query gets the policy that matches it. */
  serviceLevels: ServiceLevelPolicies;
}

export function authorOf(identity: Identity): Author {
  switch (identity.kind) {
    case 'staff':
    case 'partner':
    case 'guest':
      return personOf(identity);
    case 'host':
      return { kind: 'system', id: identity.subject, name: 'Host platform' };
    case 'anonymous':
      throw problems.unauthorized();
  }
}

export function actorOf(identity: Identity): Actor {
  switch (identity.kind) {
    case 'staff':
    case 'partner':
      return { type: 'user', id: identity.accountId };
    case 'guest':
      return { type: 'guest', id: identity.linkId };
    case 'host':
      return { type: 'host', id: identity.subject };
    case 'anonymous':
      return { type: 'system', id: 'anonymous' };
  }
}

export function callerId(identity: Identity): string {
  const actor = actorOf(identity);
  return `${actor.type}:${actor.id}`;
}

/** If-Match carries the revision the client saw, as the ETag we sent: `"7"` (W/ tolerated). */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(-1|\d{1,15})"?$/.exec(header.trim());
  if (!match?.[1]) {
    throw problems.badRequest([
      { path: 'headers.if-match', message: 'must be an ETag from an earlier answer, e.g. "7"' },
    ]);
  }
  return Number(match[1]);
}

export const commandHeaders = [
  { name: 'Idempotency-Key', description: 'Retries with the same key answer the first result and append nothing.' },
  { name: 'If-Match', description: 'The ETag (stream revision) you saw; the command is refused with 412 if it moved.' },
];

export interface CommandAnswer {
  revision: number;
  position: string | null;
}

export function commandResult<B extends CommandAnswer>(outcome: CommandOutcome<unknown>, body: B, status = 200) {
  return {
    status,
    body,
    headers: { ETag: `"${outcome.revision}"`, ...(outcome.position ? { 'X-Event-Position': outcome.position } : {}) },
  };
}

export type AnyContext = RouteContext<unknown, unknown, unknown>;
