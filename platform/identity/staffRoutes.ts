import { z } from 'zod';
import { problems } from '../http/problem.js';
import { implement, routeContract, type AnyRoute } from '../http/route.js';
import type { AccountStore } from './accounts.js';
import { staffRoles } from './identity.js';

const cursorSchema = z.object({ n: z.string(), id: z.uuid() });

function encodeCursor(last: { sortName: string; id: string }): string {
  return Buffer.from(JSON.stringify({ n: last.sortName, id: last.id })).toString('base64url');
}

function decodeCursor(cursor: string): { name: string; id: string } {
  try {
    const parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { name: parsed.n, id: parsed.id };
  } catch {
    throw problems.badRequest([{ path: 'query.cursor', message: 'is not a cursor from an earlier page' }]);
  }
}

const assignableStaff = z
  .object({
    id: z.string().meta({ description: 'The account id, as assignThread takes it' }),
    name: z.string(),
  })
  .meta({ id: 'AssignableStaff' });

/**
 * The staff directory the assign picker reads: every admin and agent who may be assigned a
 * thread (not disabled), id and name only, for staff only.
 */
export const listAssignableStaff = routeContract({
  method: 'get',
  path: '/api/support/staff',
  operationId: 'listAssignableStaff',
  summary: 'Staff who may be assigned a thread (admins and agents, not disabled), by name, one page',
  description: 'Names only: no email or role. `q` finds names containing it (case-insensitive).',
  tags: ['Inbox'],
  access: staffRoles,
  query: z.object({
    q: z.string().trim().max(200).optional().meta({ description: 'Part of a name' }),
    cursor: z.string().max(600).optional().meta({ description: 'nextCursor of the previous page' }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  }),
  response: {
    status: 200,
    description: 'One page; pass nextCursor for the next',
    schema: z.object({ items: z.array(assignableStaff), nextCursor: z.string().nullable() }),
  },
});

export function staffRoutes(deps: { accounts: AccountStore }): AnyRoute[] {
  const list = implement(listAssignableStaff, {
    async handle(ctx) {
      const { q, cursor, limit } = ctx.query;
      const rows = await deps.accounts.listAssignableStaff({
        q: q || undefined,
        after: cursor ? decodeCursor(cursor) : undefined,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        body: {
          items: page.map(({ id, name }) => ({ id, name })),
          nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
        },
      };
    },
  });
  return [list];
}
