import { assignInput, changePriorityInput } from '../../domain/index.js';
import { problems } from '../../platform/http/problem.js';
import { implement, routeContract, type AnyRoute } from '../../platform/http/route.js';
import { supportManagers } from '../../platform/identity/identity.js';
import { authorOf, commandHeaders, type CommandDependencies } from '../commandContext.js';
import { threadCommandAnswer, threadIdParams } from './threadAnswer.js';
import { runThreadCommand } from './threadCommand.js';
import { surveyOfferFor } from '../satisfaction/surveyOffer.js';

export const assignThread = routeContract({
  method: 'post',
  path: '/api/support/threads/:threadId/assign',
  operationId: 'assignThread',
  summary: 'Assign the thread to a staff member (or unassign with null)',
  tags: ['Threads'],
  access: supportManagers,
  params: threadIdParams,
  body: assignInput,
  headers: commandHeaders,
  response: { status: 200, description: 'Assigned (no change when already so)', schema: threadCommandAnswer },
  errors: [404, 409, 412, 422],
});

export const changePriority = routeContract({
  method: 'post',
  path: '/api/support/threads/:threadId/priority',
  operationId: 'changePriority',
  summary: 'Change the thread priority',
  tags: ['Threads'],
  access: supportManagers,
  params: threadIdParams,
  body: changePriorityInput,
  headers: commandHeaders,
  response: { status: 200, description: 'Changed (no change when already so)', schema: threadCommandAnswer },
  errors: [404, 409, 412],
});

const transitions = [
  { verb: 'resolve', type: 'Resolve', summary: 'Resolve the thread (from OPEN or PENDING)' },
  { verb: 'close', type: 'Close', summary: 'Close the thread (from any status); it then takes no messages' },
  { verb: 'reopen', type: 'Reopen', summary: 'Reopen the thread (from RESOLVED or CLOSED)' },
] as const;

/** Resolve, close and reopen: one contract each, alike but for the verb. */
export const statusChanges = transitions.map(({ verb, type, summary }) => ({
  verb,
  type,
  contract: routeContract({
    method: 'post',
    path: `/api/support/threads/:threadId/${verb}`,
    operationId: `${verb}Thread`,
    summary,
    tags: ['Threads'],
    access: supportManagers,
    params: threadIdParams,
    headers: commandHeaders,
    response: { status: 200, description: 'The new status', schema: threadCommandAnswer },
    errors: [404, 409, 412, 422],
  }),
}));

/** The staff's levers on a thread: assign, priority, resolve, close, reopen. */
export function manageThreadRoutes(deps: CommandDependencies): AnyRoute[] {
  const assign = implement(assignThread, {
    async handle(ctx) {
      let assigneeName: string | null = null;
      if (ctx.body.assigneeId !== null) {
        const staff = await deps.isAssignableStaff(ctx.body.assigneeId);
        if (!staff) {
          throw problems.badRequest([{ path: 'body.assigneeId', message: 'is not an admin or agent account' }]);
        }
        assigneeName = staff.name;
      }
      return runThreadCommand(deps, ctx, 'assign', () => ({
        type: 'Assign',
        data: { threadId: ctx.params.threadId, assigneeId: ctx.body.assigneeId, assigneeName },
        metadata: { now: deps.clock(), author: authorOf(ctx.identity) },
      }));
    },
  });

  const priority = implement(changePriority, {
    handle: (ctx) =>
      runThreadCommand(deps, ctx, 'priority', () => ({
        type: 'ChangePriority',
        data: { threadId: ctx.params.threadId, priority: ctx.body.priority },
        metadata: { now: deps.clock(), author: authorOf(ctx.identity) },
      })),
  });

  const statusRoutes = statusChanges.map(({ verb, type, contract }) =>
    implement(contract, {
      handle: (ctx) =>
        runThreadCommand(deps, ctx, verb, async () => {
          const now = deps.clock();
          const metadata = { now, author: authorOf(ctx.identity) };
          const { threadId } = ctx.params;
          if (type !== 'Resolve') return { type, data: { threadId }, metadata };
          // the raiser's satisfaction survey, when the system config asks for one (the decider
          // offers it only when a partner or guest raised the thread)
          const survey = await surveyOfferFor(deps, threadId, now);
          return { type, data: { threadId, ...(survey ? { survey } : {}) }, metadata };
        }),
    }),
  );
  return [assign, priority, ...statusRoutes];
}
