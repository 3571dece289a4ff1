import type pg from 'pg';
import { z } from 'zod';
import { suppressionOf } from '../../../domain/email/deliveryState.js';
import {
  eventSchemaVersion,
  parseDomainEvent,
  suppressionReasons,
  type EmailAddressEvent,
  type EmailAddressSuppressionCleared,
} from '../../../domain/index.js';
import { randomUUID } from 'node:crypto';
import {
  formatPosition,
  WrongExpectedVersionError,
  type EventStore,
  type JsonObject,
} from '../../../eventstore/port.js';
import { HttpProblem, problems } from '../../../platform/http/problem.js';
import { implement, routeContract, type AnyRoute } from '../../../platform/http/route.js';
import { addressStreamName, listSuppressions, normalizedAddress } from './suppressedAddresses.js';

/**
 * The addresses mail is stopped to (a permanent bounce or a complaint), for admins and ops, and
 * clearing one (admins only): `EmailAddressSuppressionCleared` on the address's stream, with who
 * and why, so the next email to it goes again. Clearing reads the stream itself, not the read
 * model, and appends at the revision it read: two admins clearing at once make one clear.
 */

export interface SuppressionRouteDependencies {
  pool: pg.Pool;
  eventStore: EventStore;
  clock: () => Date;
}

const suppression = z
  .object({
    address: z.string(),
    active: z.boolean().meta({ description: 'Mail to it is stopped now' }),
    reason: z.enum(suppressionReasons).nullable().meta({ description: 'bounced (permanently) or complained' }),
    emailId: z.string().nullable().meta({ description: 'The email whose bounce or complaint it was' }),
    since: z.string().nullable(),
    clearedAt: z.string().nullable(),
    clearedBy: z.string().nullable(),
    clearedReason: z.string().nullable(),
  })
  .meta({ id: 'EmailSuppression' });

export const listEmailSuppressions = routeContract({
  method: 'get',
  path: '/api/email/suppressions',
  operationId: 'listEmailSuppressions',
  summary: 'Addresses no mail goes to (a permanent bounce or a complaint)',
  description: 'The ones in force first, newest first; `includeCleared=true` also lists those an admin cleared.',
  tags: ['Ops'],
  access: ['admin', 'ops'],
  query: z.object({
    includeCleared: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  }),
  response: {
    status: 200,
    description: 'The suppressed addresses',
    schema: z.object({ items: z.array(suppression) }).meta({ id: 'EmailSuppressions' }),
  },
});

export const clearEmailSuppression = routeContract({
  method: 'post',
  path: '/api/email/suppressions/clear',
  operationId: 'clearEmailSuppression',
  summary: 'Email an address again after a bounce or a complaint',
  description:
    'Recorded as an event with who cleared it and why. A bounce or complaint that happened before the clear ' +
    '(a late or replayed report) does not stop mail again; a new one does. 404 when mail to the address is not stopped.',
  tags: ['Ops'],
  access: ['admin'],
  body: z.object({
    address: z.email().max(320).meta({ example: 'pat@acme.test' }),
    reason: z.string().trim().min(1).max(500).meta({ example: 'Mailbox fixed, confirmed by phone' }),
  }),
  response: {
    status: 200,
    description: 'Cleared: mail goes to the address again',
    schema: z.object({ cleared: z.literal(true), address: z.string(), position: z.string() }),
  },
  errors: [404, 409],
});

export function suppressionRoutes(deps: SuppressionRouteDependencies): AnyRoute[] {
  return [
    implement(listEmailSuppressions, async (ctx) => ({
      body: {
        items: await listSuppressions(deps.pool, { includeCleared: ctx.query.includeCleared, limit: ctx.query.limit }),
      },
    })),
    implement(clearEmailSuppression, async (ctx) => {
      const identity = ctx.identity;
      if (identity.kind !== 'staff') throw problems.forbidden();
      const address = normalizedAddress(ctx.body.address);
      const stream = addressStreamName(address);
      const recorded = await deps.eventStore.readStream(stream);
      const events = recorded.map((r) => {
        const version = typeof r.metadata.schemaVersion === 'number' ? r.metadata.schemaVersion : 1;
        return parseDomainEvent(r.type, r.data, version) as EmailAddressEvent;
      });
      if (!suppressionOf(events).suppressed) {
        throw problems.notFound('Mail to this address is not stopped.');
      }
      const event: EmailAddressSuppressionCleared = {
        type: 'EmailAddressSuppressionCleared',
        data: {
          address,
          by: { id: identity.accountId, name: identity.name },
          reason: ctx.body.reason,
          occurredAt: deps.clock().toISOString(),
        },
      };
      try {
        const result = await deps.eventStore.append(
          stream,
          [
            {
              id: randomUUID(),
              type: event.type,
              data: event.data as unknown as JsonObject,
              metadata: {
                actor: { type: 'user', id: identity.accountId },
                correlationId: ctx.requestId,
                schemaVersion: eventSchemaVersion(event.type),
              },
            },
          ],
          { expected: recorded.at(-1)?.revision ?? 'no_stream' },
        );
        return { body: { cleared: true as const, address, position: formatPosition(result.position) } };
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) {
          throw new HttpProblem(409, 'Conflict', undefined, { code: 'conflict' });
        }
        throw error;
      }
    }),
  ];
}
