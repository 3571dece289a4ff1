import type pg from 'pg';
import { z } from 'zod';
import { HttpProblem, problems } from '../../../platform/http/problem.js';
import { implement, routeContract, type AnyRoute } from '../../../platform/http/route.js';

/**
 * Inbound deliveries the worker gave up on (`dead_at`, after EMAIL_MAX_ATTEMPTS), for ops: the
 * list, and a retry that makes one due again from scratch (attempts 0, due now, no longer dead),
 * so the inbound worker takes it on its next round. What it then becomes is as for any delivery:
 * still at most one message per Message-ID.
 */

const deadDelivery = z
  .object({
    svixId: z.string(),
    type: z.string(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    receivedAt: z.string(),
    deadAt: z.string(),
    emailId: z
      .string()
      .nullable()
      .meta({ description: "Resend's id of the received email, if the delivery names one" }),
  })
  .meta({ id: 'DeadInboundDelivery' });

export const listDeadInbound = routeContract({
  method: 'get',
  path: '/api/ops/inbound/dead',
  operationId: 'listDeadInbound',
  summary: 'Inbound email deliveries dead-lettered after their last attempt, latest first',
  tags: ['Ops'],
  access: ['ops', 'admin'],
  query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
  response: {
    status: 200,
    description: 'How many are dead-lettered, and the latest',
    schema: z.object({ dead: z.number().int(), items: z.array(deadDelivery) }),
  },
});

export const retryDeadInbound = routeContract({
  method: 'post',
  path: '/api/ops/inbound/dead/:svixId/retry',
  operationId: 'retryDeadInbound',
  summary: 'Make a dead-lettered inbound delivery due again (attempts reset)',
  tags: ['Ops'],
  access: ['ops', 'admin'],
  params: z.object({ svixId: z.string().min(1).max(256) }),
  response: {
    status: 200,
    description: 'Due again: the inbound worker takes it on its next round',
    schema: z.object({ retried: z.literal(true) }),
  },
  errors: [404, 409],
});

export interface InboundDeadLetterDependencies {
  pool: pg.Pool;
  clock: () => Date;
}

interface DeadRow {
  svix_id: string;
  event_type: string;
  attempts: number;
  last_error: string | null;
  received_at: Date;
  dead_at: Date;
  email_id: string | null;
}

export function inboundDeadLetterRoutes(deps: InboundDeadLetterDependencies): AnyRoute[] {
  const list = implement(listDeadInbound, {
    async handle(ctx) {
      const [{ rows }, { rows: count }] = await Promise.all([
        deps.pool.query<DeadRow>(
          `SELECT svix_id, event_type, attempts, last_error, received_at, dead_at, payload->'data'->>'email_id' AS email_id
             FROM resend_webhook_deliveries WHERE dead_at IS NOT NULL AND processed_at IS NULL
            ORDER BY dead_at DESC, svix_id LIMIT $1`,
          [ctx.query.limit],
        ),
        deps.pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM resend_webhook_deliveries WHERE dead_at IS NOT NULL AND processed_at IS NULL',
        ),
      ]);
      return {
        body: {
          dead: count[0]?.n ?? 0,
          items: rows.map((r) => ({
            svixId: r.svix_id,
            type: r.event_type,
            attempts: r.attempts,
            lastError: r.last_error,
            receivedAt: r.received_at.toISOString(),
            deadAt: r.dead_at.toISOString(),
            emailId: r.email_id,
          })),
        },
      };
    },
  });

  const retry = implement(retryDeadInbound, {
    async handle(ctx) {
      const { rows } = await deps.pool.query<{ dead: boolean }>(
        `WITH found AS (SELECT svix_id, dead_at IS NOT NULL AND processed_at IS NULL AS dead
                          FROM resend_webhook_deliveries WHERE svix_id = $1 FOR UPDATE),
              retried AS (UPDATE resend_webhook_deliveries d
                             SET dead_at = NULL, attempts = 0, next_attempt_at = $2, claimed_until = NULL
                            FROM found WHERE d.svix_id = found.svix_id AND found.dead RETURNING d.svix_id)
         SELECT dead FROM found`,
        [ctx.params.svixId, deps.clock()],
      );
      const found = rows[0];
      if (!found) throw problems.notFound('No webhook delivery has this id.');
      if (!found.dead) {
        throw new HttpProblem(409, 'Conflict', 'Only a dead-lettered delivery can be retried.', { code: 'not_failed' });
      }
      return { body: { retried: true as const } };
    },
  });

  return [list, retry];
}
