import type pg from 'pg';
import { z } from 'zod';
import { externalIdSchema, threadIdSchema } from '../../../domain/index.js';
import type { EventStore } from '../../../eventstore/port.js';
import { HttpProblem, problems } from '../../../platform/http/problem.js';
import { implement, routeContract, type AnyRoute } from '../../../platform/http/route.js';
import { supportManagers, type Identity } from '../../../platform/identity/identity.js';
import {
  findHeld,
  heldReasonWords,
  heldTextOf,
  listOpenHeld,
  resolveHeld,
  snippetOf,
  type HeldEmailRow,
} from './heldInboundEmails.js';
import { assignHeld } from './heldMailAssignment.js';
import { recordInboundMessageId } from './inboundCommands.js';
import type { InboundLookup } from './matchThread.js';

/**
 * Held mail for staff (admins and agents): list, read, assign to a thread or an assignment
 * (what that makes: heldMailAssignment.ts), or discard. Each action locks the row, is refused
 * with 409 once the row is resolved, and records who and when.
 */

const heldId = z.object({
  heldId: z
    .string()
    .max(998)
    .refine((v) => /^[0-9a-f]{64}$/.test(v) || /^<[^<>]+>$/.test(v), {
      message: 'must be a held mail id (64 hex characters) or its Message-ID in angle brackets',
    }),
});

const heldReasonSchema = z.string().meta({ description: 'Why it was held (a hold reason code)' });

const heldSummary = z
  .object({
    id: z.string().meta({ description: 'The held mail id: the SHA-256 of its Message-ID' }),
    messageId: z.string(),
    reason: heldReasonSchema,
    reasonText: z.string().meta({ description: 'Why it was held, in plain words' }),
    sender: z.string(),
    subject: z.string(),
    receivedAt: z.string(),
    heldAt: z.string(),
    snippet: z.string().meta({ description: 'The start of its visible reply, on one line' }),
    threadId: z.string().nullable().meta({ description: 'The thread it named or matched, if any' }),
    threadSubject: z.string().nullable(),
    assignmentId: z.string().nullable(),
    assignmentReference: z.string().nullable(),
  })
  .meta({ id: 'HeldMail' });

const heldDetail = heldSummary
  .extend({
    to: z.array(z.string()),
    cc: z.array(z.string()),
    reply: z.string().meta({ description: 'The visible reply, as plain text (never HTML)' }),
    fullText: z.string().meta({ description: 'The whole text, quoted history included, as plain text' }),
    sha256: z.string(),
    resolvedAt: z.string().nullable(),
    resolvedBy: z.string().nullable(),
    resolution: z.enum(['assigned', 'discarded']).nullable(),
    resolvedAs: z.enum(['participant_message', 'internal_note', 'query_raised']).nullable(),
    resolvedThreadId: z.string().nullable(),
    discardReason: z.string().nullable(),
  })
  .meta({ id: 'HeldMailDetail' });

const assignBody = z
  .object({
    threadId: threadIdSchema.optional(),
    assignmentId: externalIdSchema.optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.threadId === undefined) === (body.assignmentId === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['threadId'], message: 'give either threadId or assignmentId' });
      ctx.addIssue({ code: 'custom', path: ['assignmentId'], message: 'give either threadId or assignmentId' });
    }
  });

const resolvedAnswer = z
  .object({
    id: z.string(),
    resolution: z.enum(['assigned', 'discarded']),
    resolvedAs: z.enum(['participant_message', 'internal_note', 'query_raised']).nullable(),
    threadId: z.string().nullable(),
    position: z.string().nullable().meta({ description: 'Where the log was after it: pass as waitFor to read it' }),
  })
  .meta({ id: 'HeldMailResolved' });

export const listHeldMail = routeContract({
  method: 'get',
  path: '/api/inbound/held',
  operationId: 'listHeldMail',
  summary: 'Held mail: received emails that became no message, open ones newest first',
  tags: ['Inbound email'],
  access: supportManagers,
  query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(100) }),
  response: {
    status: 200,
    description: 'How many are open, and the newest',
    schema: z.object({ open: z.number().int(), items: z.array(heldSummary) }),
  },
});

export const getHeldMail = routeContract({
  method: 'get',
  path: '/api/inbound/held/:heldId',
  operationId: 'getHeldMail',
  summary: 'One held mail with its text (plain text, never HTML)',
  tags: ['Inbound email'],
  access: supportManagers,
  params: heldId,
  response: { status: 200, description: 'The held mail', schema: heldDetail },
  errors: [404],
});

export const assignHeldMail = routeContract({
  method: 'post',
  path: '/api/inbound/held/:heldId/assign',
  operationId: 'assignHeldMail',
  summary: 'Assign a held mail to a thread or an assignment',
  description:
    'To a thread: posted as the sender’s message when the sender is a participant of that thread (a partner of its ' +
    'organisation, or a guest whose link to it works), otherwise as your internal note naming the sender. To an ' +
    'assignment: a query raised as the sender when the sender is a partner account of its organisation, otherwise 422. ' +
    'A closed thread takes nothing (422). Already assigned or discarded: 409.',
  tags: ['Inbound email'],
  access: supportManagers,
  params: heldId,
  body: assignBody,
  response: { status: 200, description: 'Assigned', schema: resolvedAnswer },
  errors: [404, 409, 422],
});

export const discardHeldMail = routeContract({
  method: 'post',
  path: '/api/inbound/held/:heldId/discard',
  operationId: 'discardHeldMail',
  summary: 'Discard a held mail, saying why',
  tags: ['Inbound email'],
  access: supportManagers,
  params: heldId,
  body: z.object({
    reason: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(500, { error: 'must be at most 500 characters' }),
  }),
  response: { status: 200, description: 'Discarded', schema: resolvedAnswer },
  errors: [404, 409],
});

export interface HeldMailDependencies {
  pool: pg.Pool;
  eventStore: EventStore;
  lookup: InboundLookup;
  clock: () => Date;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const addresses = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function toSummary(row: HeldEmailRow): z.infer<typeof heldSummary> {
  return {
    id: row.id,
    messageId: row.message_id,
    reason: row.reason,
    reasonText: heldReasonWords(row.reason),
    sender: row.sender,
    subject: row.subject,
    receivedAt: row.received_at.toISOString(),
    heldAt: row.held_at.toISOString(),
    snippet: snippetOf(heldTextOf(row.email).reply),
    threadId: row.thread_id,
    threadSubject: row.thread_subject,
    assignmentId: row.assignment_id,
    assignmentReference: row.assignment_reference,
  };
}

const notFound = () => problems.notFound('This held email does not exist.');
const alreadyResolved = (row: HeldEmailRow) =>
  new HttpProblem(
    409,
    'Conflict',
    row.resolution === 'discarded'
      ? 'This email was already discarded.'
      : 'This email was already assigned. Reload to see where it went.',
    {
      code: 'conflict',
      resolution: row.resolution,
      resolvedAt: iso(row.resolved_at),
      resolvedBy: row.resolved_by_name,
    },
  );
export function heldMailRoutes(deps: HeldMailDependencies): AnyRoute[] {
  /** Runs `act` with the open held row locked, then records what became of it. */
  async function resolving(
    id: string,
    act: (row: HeldEmailRow) => Promise<z.infer<typeof resolvedAnswer>>,
    staff: Identity,
    discardReason?: string,
  ) {
    const client = await deps.pool.connect();
    try {
      await client.query('BEGIN');
      const row = await findHeld(client, id, true);
      if (!row) throw notFound();
      if (row.resolved_at) throw alreadyResolved(row);
      const answer = await act(row);
      const by = staff.kind === 'staff' ? { id: staff.accountId, name: staff.name } : { id: 'unknown', name: '' };
      const at = deps.clock();
      await resolveHeld(client, row.message_id, {
        at,
        by,
        resolution: answer.resolution,
        resolvedAs: answer.resolvedAs,
        threadId: answer.threadId,
        ...(discardReason ? { discardReason } : {}),
      });
      if (answer.threadId && answer.resolution === 'assigned') {
        await recordInboundMessageId(client, answer.threadId, row.message_id, at);
      }
      await client.query('COMMIT');
      return answer;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  const list = implement(listHeldMail, {
    async handle(ctx) {
      const { open, rows } = await listOpenHeld(deps.pool, ctx.query.limit);
      return { body: { open, items: rows.map(toSummary) } };
    },
  });

  const detail = implement(getHeldMail, {
    async handle(ctx) {
      const row = await findHeld(deps.pool, ctx.params.heldId);
      if (!row) throw notFound();
      const text = heldTextOf(row.email);
      return {
        body: {
          ...toSummary(row),
          to: addresses(row.email.to),
          cc: addresses(row.email.cc),
          reply: text.reply,
          fullText: text.fullText,
          sha256: row.sha256,
          resolvedAt: iso(row.resolved_at),
          resolvedBy: row.resolved_by_name,
          resolution: row.resolution,
          resolvedAs: row.resolved_as,
          resolvedThreadId: row.resolved_thread_id,
          discardReason: row.discard_reason,
        },
      };
    },
  });

  const assign = implement(assignHeldMail, {
    async handle(ctx) {
      const staff = ctx.identity;
      const answer = await resolving(
        ctx.params.heldId,
        async (row) => ({
          id: row.id,
          resolution: 'assigned' as const,
          ...(await assignHeld(deps, row, staff, ctx.body, ctx.requestId || row.svix_id)),
        }),
        staff,
      );
      return { body: answer };
    },
  });

  const discard = implement(discardHeldMail, {
    async handle(ctx) {
      const answer = await resolving(
        ctx.params.heldId,
        async (row) => ({
          id: row.id,
          resolution: 'discarded' as const,
          resolvedAs: null,
          threadId: null,
          position: null,
        }),
        ctx.identity,
        ctx.body.reason,
      );
      return { body: answer };
    },
  });

  return [list, detail, assign, discard];
}
