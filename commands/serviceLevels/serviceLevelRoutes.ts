import { z } from 'zod';
import pMap from 'p-map';
import {
  calendarInput,
  matchSlaPolicy,
  type QueryType,
  policiesInOrder,
  policyInput,
  priorities,
  queryTypes,
  reapplyPeriodInput,
  serviceLevelsDecider,
  slaServiceLevelsStreamName,
  threadDecider,
  threadStreamName,
  weekdays,
  type ServiceLevelCommand,
  type ServiceLevelsState,
} from '../../domain/index.js';
import { problems } from '../../platform/http/problem.js';
import { implement, routeContract, type AnyRoute } from '../../platform/http/route.js';
import { supportManagers } from '../../platform/identity/identity.js';
import {
  actorOf,
  authorOf,
  callerId,
  commandHeaders,
  commandResult,
  parseIfMatch,
  type CommandDependencies,
} from '../commandContext.js';
import { handleCommand, loadStream } from '../commandHandler.js';
import { threadCommandAnswer, threadIdParams } from '../threads/threadAnswer.js';
import { runThreadCommand } from '../threads/threadCommand.js';

/* Answers: what the admin pages show. Calendars and policies are versioned: every save is one. */

const intervalView = z.object({ start: z.string(), end: z.string() });
const calendarView = z
  .object({
    calendarId: z.string(),
    version: z.number().int(),
    name: z.string(),
    timeZone: z.string(),
    alwaysOpen: z.boolean(),
    week: z.object(
      Object.fromEntries(weekdays.map((d) => [d, z.array(intervalView)])) as Record<
        (typeof weekdays)[number],
        z.ZodArray<typeof intervalView>
      >,
    ),
    holidays: z.array(z.object({ date: z.string(), name: z.string() })),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .meta({ id: 'SlaCalendar' });
const targetsView = z.object({
  firstResponseMinutes: z.number().int().nullable(),
  nextResponseMinutes: z.number().int().nullable(),
  resolutionMinutes: z.number().int().nullable(),
});
const policyView = z
  .object({
    policyId: z.string(),
    version: z.number().int(),
    name: z.string(),
    calendarId: z.string(),
    position: z.number().int(),
    match: z.object({ queryTypes: z.array(z.enum(queryTypes)), partnerOrgIds: z.array(z.string()) }),
    targets: z.object(
      Object.fromEntries(priorities.map((p) => [p, targetsView])) as Record<
        (typeof priorities)[number],
        typeof targetsView
      >,
    ),
    warnBeforeMinutes: z.number().int(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .meta({ id: 'SlaPolicy' });
const configView = z
  .object({
    calendars: z.array(calendarView),
    /** In the order they are tried. */
    policies: z.array(policyView),
    revision: z.number().int(),
  })
  .meta({ id: 'SlaConfig' });

const answered = { revision: z.number().int(), position: z.string().nullable() };

const calendarParams = z.object({ calendarId: z.uuid({ error: 'must be a UUID' }) });
const policyParams = z.object({ policyId: z.uuid({ error: 'must be a UUID' }) });

const viewOf = (state: ServiceLevelsState, revision: number): z.infer<typeof configView> => ({
  calendars: Object.values(state.calendars).sort(
    (a, b) => a.name.localeCompare(b.name) || a.calendarId.localeCompare(b.calendarId),
  ),
  policies: policiesInOrder(state),
  revision,
});

export const getSlaConfig = routeContract({
  method: 'get',
  path: '/api/support/sla/config',
  operationId: 'getSlaConfig',
  summary: 'The business-hour calendars and service-level policies (policies in the order they are tried)',
  tags: ['Service levels'],
  access: supportManagers,
  response: {
    status: 200,
    description: 'Calendars and policies, with the stream revision as ETag',
    schema: configView,
  },
});

export const saveSlaCalendar = routeContract({
  method: 'put',
  path: '/api/support/sla/calendars/:calendarId',
  operationId: 'saveSlaCalendar',
  summary: 'Create or change a business-hour calendar (each change is a new version)',
  description:
    'Threads keep the calendar version they got; an admin re-applies the current policy to move them onto the new one.',
  tags: ['Service levels'],
  access: ['admin'],
  params: calendarParams,
  body: calendarInput,
  headers: commandHeaders,
  response: {
    status: 200,
    description: 'The calendar as saved',
    schema: z.object({ calendar: calendarView, ...answered }),
  },
  errors: [409, 412, 422],
});

export const removeSlaCalendar = routeContract({
  method: 'delete',
  path: '/api/support/sla/calendars/:calendarId',
  operationId: 'removeSlaCalendar',
  summary: 'Remove a calendar no policy uses',
  tags: ['Service levels'],
  access: ['admin'],
  params: calendarParams,
  headers: commandHeaders,
  response: { status: 200, description: 'Removed', schema: z.object({ removed: z.string(), ...answered }) },
  errors: [404, 409, 412],
});

export const saveSlaPolicy = routeContract({
  method: 'put',
  path: '/api/support/sla/policies/:policyId',
  operationId: 'saveSlaPolicy',
  summary: 'Create or change a service-level policy (each change is a new version)',
  description:
    'New threads get the first policy (by position) that matches their query type and organisation; threads raised before keep theirs until re-applied.',
  tags: ['Service levels'],
  access: ['admin'],
  params: policyParams,
  body: policyInput,
  headers: commandHeaders,
  response: { status: 200, description: 'The policy as saved', schema: z.object({ policy: policyView, ...answered }) },
  errors: [409, 412, 422],
});

export const removeSlaPolicy = routeContract({
  method: 'delete',
  path: '/api/support/sla/policies/:policyId',
  operationId: 'removeSlaPolicy',
  summary: 'Remove a service-level policy (threads that have it keep it)',
  tags: ['Service levels'],
  access: ['admin'],
  params: policyParams,
  headers: commandHeaders,
  response: { status: 200, description: 'Removed', schema: z.object({ removed: z.string(), ...answered }) },
  errors: [404, 412],
});

export const reapplyThreadSla = routeContract({
  method: 'post',
  path: '/api/support/threads/:threadId/sla/reapply',
  operationId: 'reapplyThreadSla',
  summary: 'Hold the thread to the policy that matches it today (recorded on its history)',
  description: 'Its clocks are recomputed from its whole history on the policy and calendar as they are now.',
  tags: ['Service levels'],
  access: ['admin'],
  params: threadIdParams,
  headers: commandHeaders,
  response: {
    status: 200,
    description: 'Re-applied (no change when it already has that version)',
    schema: threadCommandAnswer,
  },
  errors: [404, 409, 412],
});

export const reapplySlaToPeriod = routeContract({
  method: 'post',
  path: '/api/support/sla/reapply',
  operationId: 'reapplySlaToPeriod',
  summary: 'Re-apply today’s policies to every thread raised in a period (a changed calendar applied to the past)',
  tags: ['Service levels'],
  access: ['admin'],
  body: reapplyPeriodInput,
  response: {
    status: 200,
    description:
      'How many threads were looked at and how many changed policy or version; `next`, when not null: more threads remain, send again with it as `raisedFrom`',
    schema: z.object({ threads: z.number().int(), changed: z.number().int(), next: z.string().nullable() }),
  },
  errors: [422],
});

/**
 * At most this many threads per period request (well inside the request timeout): a larger period
 * is re-applied in parts, each answer naming where the next starts.
 */
export const REAPPLY_MAX_THREADS = 500;

/** A thread of a period, with the facts its policy is matched on (they never change). */
export interface RaisedThread {
  threadId: string;
  queryType: QueryType;
  partnerOrgId: string;
  raisedAt: Date;
}

export function serviceLevelRoutes(
  deps: CommandDependencies & {
    /** The threads raised in [from, to), oldest first. */
    threadsRaisedBetween(from: Date, to: Date, limit: number): Promise<RaisedThread[]>;
  },
): AnyRoute[] {
  const runConfig = <B extends object>(
    ctx: { identity: Parameters<typeof authorOf>[0]; header(name: string): string | undefined; requestId: string },
    fingerprint: unknown[],
    command: (now: Date) => ServiceLevelCommand,
    answer: (state: ServiceLevelsState) => B,
  ) =>
    deps.idempotency.run(
      { key: ctx.header('idempotency-key'), callerId: callerId(ctx.identity), fingerprint },
      async (keyHash) => {
        const outcome = await handleCommand(
          deps.eventStore,
          serviceLevelsDecider,
          slaServiceLevelsStreamName,
          command(deps.clock()),
          {
            ifMatch: parseIfMatch(ctx.header('if-match')),
            idempotencyKeyHash: keyHash,
            metadata: { actor: actorOf(ctx.identity), correlationId: ctx.requestId || undefined },
          },
        );
        return commandResult(outcome, {
          ...answer(outcome.state),
          revision: outcome.revision,
          position: outcome.position,
        });
      },
    );

  const get = implement(getSlaConfig, {
    async handle() {
      const { state, revision } = await deps.serviceLevels.current();
      return { body: viewOf(state, revision), headers: { ETag: `"${revision}"` } };
    },
  });

  const saveCalendar = implement(saveSlaCalendar, {
    async handle(ctx) {
      const { calendarId } = ctx.params;
      return runConfig(
        ctx,
        ['slaCalendar', calendarId, ctx.body],
        (now) => ({
          type: 'SaveSlaCalendar',
          data: { calendarId, calendar: ctx.body },
          metadata: { now, author: authorOf(ctx.identity) },
        }),
        (state) => ({ calendar: state.calendars[calendarId]! }),
      );
    },
  });

  const removeCalendar = implement(removeSlaCalendar, {
    async handle(ctx) {
      const { calendarId } = ctx.params;
      return runConfig(
        ctx,
        ['slaCalendarRemoved', calendarId],
        (now) => ({
          type: 'RemoveSlaCalendar',
          data: { calendarId },
          metadata: { now, author: authorOf(ctx.identity) },
        }),
        () => ({ removed: calendarId }),
      );
    },
  });

  const savePolicy = implement(saveSlaPolicy, {
    async handle(ctx) {
      const { policyId } = ctx.params;
      return runConfig(
        ctx,
        ['slaPolicy', policyId, ctx.body],
        (now) => ({
          type: 'SaveSlaPolicy',
          data: { policyId, policy: ctx.body },
          metadata: { now, author: authorOf(ctx.identity) },
        }),
        (state) => ({ policy: state.policies[policyId]! }),
      );
    },
  });

  const removePolicy = implement(removeSlaPolicy, {
    async handle(ctx) {
      const { policyId } = ctx.params;
      return runConfig(
        ctx,
        ['slaPolicyRemoved', policyId],
        (now) => ({ type: 'RemoveSlaPolicy', data: { policyId }, metadata: { now, author: authorOf(ctx.identity) } }),
        () => ({ removed: policyId }),
      );
    },
  });

  /** The policy that matches the thread now: its query type and organisation never change. */
  const reapplyCommand = async (threadId: string, now: Date) => {
    const { state } = await loadStream(deps.eventStore, threadDecider, threadStreamName(threadId));
    if (state.status === 'EMPTY') return undefined;
    const snapshot = await deps.serviceLevels.match({ queryType: state.queryType, partnerOrgId: state.partnerOrgId });
    return { type: 'ApplySlaPolicy' as const, data: { threadId, snapshot }, now };
  };

  const reapplyOne = implement(reapplyThreadSla, {
    async handle(ctx) {
      return runThreadCommand(deps, ctx, 'reapplySla', async () => {
        const found = await reapplyCommand(ctx.params.threadId, deps.clock());
        if (!found) throw problems.notFound('This thread does not exist, or you do not have access to it.');
        return { type: found.type, data: found.data, metadata: { now: found.now, author: authorOf(ctx.identity) } };
      });
    },
  });

  const reapplyPeriod = implement(reapplySlaToPeriod, {
    async handle(ctx) {
      const threads = await deps.threadsRaisedBetween(
        new Date(ctx.body.raisedFrom),
        new Date(ctx.body.raisedTo),
        REAPPLY_MAX_THREADS,
      );
      const { state } = await deps.serviceLevels.current();
      let changed = 0;
      await pMap(
        threads,
        async (thread) => {
          const snapshot = matchSlaPolicy(state, thread);
          const outcome = await handleCommand(
            deps.eventStore,
            threadDecider,
            threadStreamName(thread.threadId),
            {
              type: 'ApplySlaPolicy',
              data: { threadId: thread.threadId, snapshot },
              metadata: { now: deps.clock(), author: authorOf(ctx.identity) },
            },
            { metadata: { actor: actorOf(ctx.identity), correlationId: ctx.requestId || undefined } },
          );
          if (outcome.appended.length > 0) changed++;
        },
        { concurrency: 8 },
      );
      // the last thread's time starts the next part (it is looked at again: a no-op, so no thread is skipped)
      const last = threads[threads.length - 1];
      const next = threads.length === REAPPLY_MAX_THREADS && last ? last.raisedAt.toISOString() : null;
      return { body: { threads: threads.length, changed, next } };
    },
  });

  return [get, saveCalendar, removeCalendar, savePolicy, removePolicy, reapplyOne, reapplyPeriod];
}
