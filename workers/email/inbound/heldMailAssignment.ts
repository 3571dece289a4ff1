import type pg from 'pg';
import { actorOf, authorOf } from '../../../commands/commandContext.js';
import { BODY_MAX } from '../../../domain/index.js';
import type { EventStore, JsonValue } from '../../../eventstore/port.js';
import { HttpProblem, problems } from '../../../platform/http/problem.js';
import type { Identity } from '../../../platform/identity/identity.js';
import { heldTextOf, type HeldEmailRow } from './heldInboundEmails.js';
import { postInboundMessage, raiseInboundQuery } from './inboundCommands.js';
import { arrivedTextOf, inboundMessageOf } from './inboundMessage.js';
import { querySubjectOf } from './inboundQuerySubject.js';
import type { InboundLookup } from './matchThread.js';

/**
 * What assigning a held mail makes, decided so that a stranger's words never reach a partner
 * unreviewed:
 *   - to a thread: the sender's own message when they are one of its participants (a partner of
 *     its organisation, or a guest whose link to it works now), else an internal note by the staff
 *     member naming the sender ("Email from x@y: …");
 *   - to an assignment: a query raised as the sender when they are a partner account of its
 *     organisation, else 422.
 * The ids come from the Message-ID (as the worker's), so running it again appends nothing more.
 */

export interface HeldAssignmentDependencies {
  pool: pg.Pool;
  eventStore: EventStore;
  lookup: InboundLookup;
  clock: () => Date;
}

export interface HeldAssignment {
  resolvedAs: 'participant_message' | 'internal_note' | 'query_raised';
  threadId: string;
  position: string | null;
}

export const unprocessable = (detail: string, path: string) =>
  new HttpProblem(422, 'Unprocessable Content', detail, {
    code: 'invalid_command',
    errors: [{ path, message: detail }],
  });

/** What an internal note about a stranger's email says: who wrote, then what, within the body limit. */
export function internalNoteOf(sender: string, reply: string): string {
  const note = `Email from ${sender}:\n\n${reply}`;
  return note.length <= BODY_MAX ? note : `${note.slice(0, BODY_MAX - 1)}…`;
}

/** The event metadata of what a held mail became: as the worker's, and who assigned it. */
function inboundEmailOf(row: HeldEmailRow, staff: Identity): Record<string, JsonValue> {
  return {
    messageId: row.message_id,
    resendEmailId: row.resend_email_id,
    sha256: row.sha256,
    matchedBy: 'staff',
    heldFor: row.reason,
    assignedBy: staff.kind === 'staff' ? staff.accountId : null,
    ...arrivedTextOf(inboundMessageOf(row.email)),
  };
}

export async function assignHeld(
  deps: HeldAssignmentDependencies,
  row: HeldEmailRow,
  staff: Identity,
  target: { threadId?: string | undefined; assignmentId?: string | undefined },
  correlationId: string,
): Promise<HeldAssignment> {
  const { reply } = heldTextOf(row.email);
  if (reply === '') throw unprocessable('This email has no text that could become a message.', 'heldId');
  const common = {
    messageId: row.message_id,
    inboundEmail: inboundEmailOf(row, staff),
    actor: actorOf(staff),
    correlationId,
    now: deps.clock(),
  };
  const sender = row.sender.toLowerCase();
  const partner = await deps.lookup.partnerAccountByAddress(sender);

  if (target.threadId) {
    const thread = await deps.lookup.thread(target.threadId);
    if (!thread) throw problems.notFound('This thread does not exist.');
    const ownPartner = partner?.partnerOrgId === thread.partnerOrgId ? partner : null;
    const guest = ownPartner
      ? null
      : await deps.lookup.guestLinkFor(thread.threadId, sender, deps.clock().toISOString());
    const author = ownPartner
      ? { kind: 'partner' as const, id: ownPartner.accountId, name: ownPartner.name }
      : guest
        ? { kind: 'guest' as const, id: guest.linkId, name: guest.name }
        : null;
    const outcome = await postInboundMessage(deps.eventStore, {
      ...common,
      threadId: thread.threadId,
      ...(author
        ? { author, body: reply, visibility: 'external' as const }
        : { author: authorOf(staff), body: internalNoteOf(row.sender, reply), visibility: 'internal' as const }),
    });
    return {
      resolvedAs: author ? 'participant_message' : 'internal_note',
      threadId: thread.threadId,
      position: outcome.position,
    };
  }

  const { rows } = await deps.pool.query<{ assignmentId: string; reference: string; partnerOrgId: string }>(
    `SELECT assignment_id AS "assignmentId", reference, partner_org_id AS "partnerOrgId"
       FROM assignment_directory WHERE assignment_id = $1`,
    [target.assignmentId],
  );
  const assignment = rows[0];
  if (!assignment) throw problems.notFound('This assignment does not exist.');
  if (!partner || partner.partnerOrgId !== assignment.partnerOrgId) {
    throw unprocessable(
      'Only a partner of this assignment’s organisation can have a query raised from their email. ' +
        'Assign it to a thread instead, where it becomes an internal note.',
      'assignmentId',
    );
  }
  const raised = await raiseInboundQuery(deps.eventStore, {
    ...common,
    author: { kind: 'partner', id: partner.accountId, name: partner.name },
    assignment,
    subject: querySubjectOf(row.subject, `Email from ${row.sender}`),
    body: reply,
    followUpOf: null,
  });
  return { resolvedAs: 'query_raised', threadId: raised.threadId, position: raised.position };
}
