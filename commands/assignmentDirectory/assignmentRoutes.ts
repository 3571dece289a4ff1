import { z } from 'zod';
import { ASSIGNMENT_NOT_FOUND } from '../../platform/http/plainWords.js';
import { problems } from '../../platform/http/problem.js';
import { implement, routeContract, type AnyRoute } from '../../platform/http/route.js';
import { guestScopeCoversAssignment } from '../../platform/identity/identity.js';
import type { AssignmentDirectory } from './assignmentDirectory.js';

const assignmentSchema = z
  .object({
    assignmentId: z.string(),
    reference: z.string(),
    title: z.string(),
    partnerOrgId: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Assignment' });

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

export const upsertAssignment = routeContract({
  method: 'put',
  path: '/api/host/assignments/:assignmentId',
  operationId: 'upsertAssignment',
  summary: 'Create or update an assignment of the host platform',
  description: 'The host platform keeps the directory current: which partner organisation owns which assignment.',
  tags: ['Assignments'],
  access: ['host', 'admin'],
  params: z.object({ assignmentId: z.string().regex(idPattern, 'letters, digits and _.:- (max 100)') }),
  body: z.object({
    reference: z.string().trim().min(1).max(60),
    title: z.string().trim().min(1).max(200),
    partnerOrgId: z.string().regex(idPattern, 'letters, digits and _.:- (max 100)'),
  }),
  response: { status: 200, description: 'The assignment as stored', schema: assignmentSchema },
});

export const listAssignments = routeContract({
  method: 'get',
  path: '/api/support/assignments',
  operationId: 'listAssignments',
  summary: 'Assignments the caller may raise queries on',
  description:
    'Partners see their organisation’s, guests with an assignment link that one (while it stays in the organisation the link was issued for), staff all.',
  tags: ['Assignments'],
  access: ['partner', 'guest', 'admin', 'agent', 'auditor', 'ops'],
  query: z.object({
    after: z.string().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  }),
  response: { status: 200, description: 'One page, by id', schema: z.object({ items: z.array(assignmentSchema) }) },
});

export const getAssignment = routeContract({
  method: 'get',
  path: '/api/support/assignments/:assignmentId',
  operationId: 'getAssignment',
  summary: 'One assignment',
  tags: ['Assignments'],
  access: ['partner', 'guest', 'admin', 'agent', 'auditor', 'ops'],
  params: z.object({ assignmentId: z.string().max(100) }),
  response: { status: 200, description: 'The assignment', schema: assignmentSchema },
  errors: [404],
});

export function assignmentRoutes(directory: AssignmentDirectory): AnyRoute[] {
  const upsert = implement(upsertAssignment, {
    async handle(ctx) {
      const { assignment, created } = await directory.upsert({ assignmentId: ctx.params.assignmentId, ...ctx.body });
      return { status: created ? 201 : 200, body: assignment };
    },
  });

  const list = implement(listAssignments, {
    async handle(ctx) {
      const identity = ctx.identity;
      if (identity.kind === 'guest') {
        if (identity.scope.kind !== 'assignment') return { body: { items: [] } };
        const one = await directory.find(identity.scope.assignmentId);
        return { body: { items: one && guestScopeCoversAssignment(identity.scope, one) ? [one] : [] } };
      }
      const partnerOrgId = identity.kind === 'partner' ? identity.partnerOrgId : undefined;
      const items = await directory.list({
        ...(partnerOrgId ? { partnerOrgId } : {}),
        ...(ctx.query.after ? { after: ctx.query.after } : {}),
        limit: ctx.query.limit,
      });
      return { body: { items } };
    },
  });

  const get = implement(getAssignment, {
    async handle(ctx) {
      const a = await directory.find(ctx.params.assignmentId);
      const identity = ctx.identity;
      const visible =
        a &&
        (identity.kind === 'staff' ||
          (identity.kind === 'partner' && identity.partnerOrgId === a.partnerOrgId) ||
          (identity.kind === 'guest' && guestScopeCoversAssignment(identity.scope, a)));
      if (!visible) throw problems.notFound(ASSIGNMENT_NOT_FOUND);
      return { body: a };
    },
  });
  return [upsert, list, get];
}
