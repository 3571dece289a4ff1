import type pg from 'pg';
import { z } from 'zod';
import type { EventStore } from '../../eventstore/port.js';
import { plainWords } from '../../platform/http/plainWords.js';
import { problems } from '../../platform/http/problem.js';
import { implement, routeContract, type AnyRoute } from '../../platform/http/route.js';
import { historyCsv, parseAsOf, threadHistory } from './threadHistory.js';

const auditors = ['auditor', 'admin'] as const;

const params = z.object({ threadId: z.uuid() });

export const getThreadHistory = routeContract({
  method: 'get',
  path: '/api/audit/threads/:threadId/history',
  operationId: 'getThreadHistory',
  summary: 'A thread’s full history: every event, the state as of any point, and its integrity verification',
  description:
    'Read from the event log itself, not a read model. The state is replayed through the domain’s own code. ' +
    'The events are the thread’s own (`source: thread`, revisions of the thread) and the outcomes of emails about it ' +
    '(`source: email`, revisions of the thread’s email stream), in log order; `asOf` counts thread revisions only. ' +
    'Each stream is a hash chain of its own and is verified on its own.',
  tags: ['Audit'],
  access: auditors,
  params,
  query: z.object({ asOf: z.string().max(40).optional().meta({ description: 'A revision, or an ISO time' }) }),
  response: {
    status: 200,
    description: 'The history',
    schema: z
      .object({
        threadId: z.string(),
        events: z.array(
          z.object({
            source: z.enum(['thread', 'email']).meta({
              description: 'thread: an event of the thread itself; email: an outcome of an email about it',
            }),
            stream: z.string().meta({ description: 'The event’s own stream: `thread-…` or `threadEmail-…`' }),
            revision: z.number().meta({ description: 'The event’s revision in its own stream' }),
            threadRevision: z.number().meta({
              description:
                'The thread revision the event belongs to: its own for a thread event; for an email outcome, the thread’s last revision before it in the log (-1 when none)',
            }),
            position: z.string(),
            type: z.string(),
            occurredAt: z.string(),
            recordedAt: z.string(),
            actor: z.object({ type: z.string(), id: z.string() }).nullable(),
            data: z.record(z.string(), z.unknown()),
            hash: z.string().nullable(),
          }),
        ),
        stateAsOf: z.object({
          revision: z.number(),
          at: z.string().nullable(),
          state: z.record(z.string(), z.unknown()),
        }),
        verification: z.object({
          ok: z.boolean(),
          checked: z.number(),
          firstBrokenStream: z
            .string()
            .nullable()
            .meta({ description: 'The first stream whose chain is broken; firstBrokenRevision is in that stream' }),
          firstBrokenRevision: z.number().nullable(),
          reason: z.string().nullable(),
          streams: z
            .array(
              z.object({
                streamName: z.string(),
                ok: z.boolean(),
                checked: z.number(),
                sealsChecked: z.number(),
                firstBrokenRevision: z.number().nullable(),
                reason: z.string().nullable(),
              }),
            )
            .meta({
              description: 'Each stream’s own chain: the thread’s, and its email outcomes’ when there are any',
            }),
        }),
      })
      .meta({ id: 'ThreadHistory' }),
  },
  errors: [404],
});

export const exportThreadHistory = routeContract({
  method: 'get',
  path: '/api/audit/threads/:threadId/export',
  operationId: 'exportThreadHistory',
  summary: 'Download a thread’s history as JSON or CSV',
  tags: ['Audit'],
  access: auditors,
  params,
  query: z.object({ format: z.enum(['json', 'csv']).default('json') }),
  response: { status: 200, description: 'The file', schema: z.unknown() },
  errors: [404],
});

export function auditRoutes(deps: { eventStore: EventStore; pool: pg.Pool; sealKey: string | undefined }): AnyRoute[] {
  const load = async (threadId: string, asOfText?: string) => {
    const asOf = parseAsOf(asOfText);
    if (asOf === 'invalid')
      throw problems.badRequest([{ path: 'query.asOf', message: 'must be a revision number or an ISO time' }]);
    const history = await threadHistory(deps.eventStore, deps.pool, threadId, { asOf, sealKey: deps.sealKey });
    if (!history) throw problems.notFound(plainWords('thread_not_found'));
    return history;
  };

  const history = implement(getThreadHistory, {
    async handle(ctx) {
      const h = await load(ctx.params.threadId, ctx.query.asOf);
      const broken = h.verification.streams.find((s) => !s.ok);
      return {
        body: {
          ...h,
          verification: {
            ok: h.verification.ok,
            checked: h.verification.streams.reduce((a, s) => a + s.checked, 0),
            firstBrokenStream: broken?.streamName ?? null,
            firstBrokenRevision: broken?.firstBrokenRevision ?? null,
            reason: broken ? `${broken.streamName}: ${broken.reason}` : null,
            streams: h.verification.streams,
          },
        },
        headers: { 'Cache-Control': 'no-store' },
      };
    },
  });

  const exportRoute = implement(exportThreadHistory, {
    async handle(ctx) {
      const h = await load(ctx.params.threadId);
      const name = `thread-${ctx.params.threadId}-history.${ctx.query.format}`;
      const headers = { 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'no-store' };
      if (ctx.query.format === 'csv')
        return { body: historyCsv(h), headers: { ...headers, 'Content-Type': 'text/csv; charset=utf-8' }, raw: true };
      return { body: h, headers };
    },
  });
  return [history, exportRoute];
}
