import type pg from 'pg';
import { attachmentsByMessage } from './attachments/attachmentViews.js';
import { z } from 'zod';
import { emailTemplateSchema, prioritySchema, queryTypeSchema } from '../domain/index.js';
import { plainWords } from '../platform/http/plainWords.js';
import { problems } from '../platform/http/problem.js';
import { implement, routeContract, type AnyRoute, type RouteContext } from '../platform/http/route.js';
import { publicReaderMayRead, supportManagers, type Identity } from '../platform/identity/identity.js';
import { encodeCursor, inboxCountsSql, inboxPageSql } from './inboxQuery.js';
import { loadThreadSla, threadSlaView } from './serviceLevels/slaViews.js';
import type { PublicConfigCache } from './publicConfig.js';
import { requestedPosition, type ProjectionWatcher } from './projectionWatcher.js';
import {
  guestLinkView,
  linkedThreadView,
  messageView,
  partnerThreadSummary,
  staffThreadSummary,
  toGuestLink,
  toLinkedThread,
  toMessage,
  toPartnerSummary,
  toStaffSummary,
} from './threadViews.js';

export interface ReadDependencies {
  pool: pg.Pool;
  watcher: ProjectionWatcher;
  clock: () => Date;
  /** The public config, from memory until the system config changes (see PublicConfigCache). */
  publicConfig: PublicConfigCache;
  /** What files the desk takes, for composers to say before a file is sent. */
  attachmentLimits: { maxBytes: number; maxFiles: number; mediaTypes: readonly string[]; scanned: boolean };
}

const staffReaders = [...supportManagers, 'auditor', 'ops'] as const;

const consistencyQuery = {
  waitFor: z
    .string()
    .max(50)
    .optional()
    .meta({ description: 'A position from a command answer: wait (up to 5 s) until this read reflects it' }),
};

const consistencyHeaders = [{ name: 'X-Wait-For-Position', description: 'Same as the waitFor query parameter' }];

/**
 * Read-your-writes: waits when asked; the answer says whether it reflects the position
 * (`X-Consistency: fresh`) or the wait ran out (`stale`, the answer is still the latest we have).
 */
async function consistency(
  deps: ReadDependencies,
  ctx: RouteContext<unknown, { waitFor?: string | undefined }, unknown>,
  projections: readonly string[],
): Promise<Record<string, string>> {
  const position = requestedPosition(ctx.query.waitFor, ctx.header('x-wait-for-position'));
  if (!position) return {};
  const fresh = await deps.watcher.waitFor(position, projections, 5000);
  return { 'X-Consistency': fresh ? 'fresh' : 'stale' };
}

const STAFF_COLUMNS = 'i.*';

const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/**
 * Which threads a partner or guest may list: an organisation for partners; for guests their
 * link's thread, or its assignment within the organisation the link was issued for.
 */
function scopeFilter(identity: Identity): { partnerOrgId?: string; assignmentId?: string; threadId?: string } {
  switch (identity.kind) {
    case 'partner':
      return { partnerOrgId: identity.partnerOrgId };
    case 'guest':
      return identity.scope.kind === 'thread'
        ? { threadId: identity.scope.threadId }
        : { assignmentId: identity.scope.assignmentId, partnerOrgId: identity.scope.partnerOrgId };
    default:
      throw problems.forbidden('Only partners and guests have threads of their own.'); // the route admits no one else
  }
}

const inboxQuery = z.object({
  status: z.enum(['ALL', 'OPEN', 'PENDING', 'RESOLVED', 'CLOSED']).default('ALL'),
  priority: prioritySchema.optional(),
  queryType: queryTypeSchema.optional(),
  assigneeId: z.string().max(100).optional().meta({ description: "An account id, 'me', or 'none' for unassigned" }),
  partnerOrgId: z.string().max(100).optional(),
  assignmentId: z.string().max(100).optional(),
  awaiting: z.enum(['staff', 'partner']).optional(),
  q: z.string().trim().min(1).max(200).optional().meta({ description: 'Full-text search over subjects and messages' }),
  sla: z
    .enum(['due'])
    .optional()
    .meta({ description: "'due': only threads with a running service-level clock, soonest due (most overdue) first" }),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  ...consistencyQuery,
});

export const listInbox = routeContract({
  method: 'get',
  path: '/api/support/inbox',
  operationId: 'listInbox',
  summary: 'The support inbox: threads by last activity, filtered and searched, one page',
  tags: ['Inbox'],
  access: staffReaders,
  query: inboxQuery,
  headers: consistencyHeaders,
  response: {
    status: 200,
    description: 'One page; pass nextCursor for the next',
    schema: pageOf(staffThreadSummary),
  },
});

export const countInbox = routeContract({
  method: 'get',
  path: '/api/support/inbox/counts',
  operationId: 'countInbox',
  summary: 'How many threads each status tab holds, under the same filters',
  tags: ['Inbox'],
  access: staffReaders,
  query: inboxQuery.omit({ status: true, cursor: true, limit: true }),
  response: {
    status: 200,
    description: 'Counts per status and in all',
    schema: z.object({
      ALL: z.number(),
      OPEN: z.number(),
      PENDING: z.number(),
      RESOLVED: z.number(),
      CLOSED: z.number(),
    }),
  },
});

export const listMyThreads = routeContract({
  method: 'get',
  path: '/api/support/my/threads',
  operationId: 'listMyThreads',
  summary: "A partner's (or guest's) own threads, newest activity first",
  description:
    'Partners see their organisation’s threads; a guest the thread of their link, or the threads of its assignment ' +
    'in the organisation the link was issued for. Never internal notes. Ordered and paged by the last activity the ' +
    'caller may see (`lastActivityAt`): an internal note or an assignment moves nothing here. Every filter applies to every caller.',
  tags: ['Portal'],
  access: ['partner', 'guest'],
  query: z.object({
    status: z.enum(['ALL', 'OPEN', 'PENDING', 'RESOLVED', 'CLOSED']).default('ALL'),
    assignmentId: z.string().max(100).optional(),
    q: z.string().trim().min(1).max(200).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    ...consistencyQuery,
  }),
  headers: consistencyHeaders,
  response: { status: 200, description: 'One page', schema: pageOf(partnerThreadSummary) },
});

export const getThread = routeContract({
  method: 'get',
  path: '/api/support/threads/:threadId',
  operationId: 'getThread',
  summary: 'One thread with its messages in order',
  description:
    'Staff get every message (internal notes marked) and the guest links; partners and guests only external messages.',
  tags: ['Threads'],
  access: [...staffReaders, 'partner', 'guest'],
  params: z.object({ threadId: z.uuid() }),
  query: z.object(consistencyQuery),
  headers: consistencyHeaders,
  response: {
    status: 200,
    description: 'The thread',
    schema: z.object({
      thread: z.union([staffThreadSummary, partnerThreadSummary]),
      messages: z.array(
        messageView.extend({
          emails: z
            .array(
              z.object({
                emailId: z.string().meta({ description: 'The outbox id of the email' }),
                recipient: z.string(),
                template: emailTemplateSchema,
                status: z.string().meta({
                  description:
                    'accepted (the provider took it), sent, delayed, delivered, bounced, complained (as the provider ' +
                    'reported: the strongest so far), failed, dead_lettered, suppressed (not sent: mail to the address is stopped)',
                }),
                attempts: z.number(),
                lastError: z.string().nullable(),
                at: z.string(),
              }),
            )
            .optional()
            .meta({ description: 'Staff only: the delivery outcome of each email this message caused' }),
        }),
      ),
      guestLinks: z.array(guestLinkView).optional(),
      sla: threadSlaView.nullable().optional().meta({
        description: 'Staff only: the service-level policy the thread is held to and each target, as of asOf',
      }),
      suppressedRecipients: z
        .array(z.object({ address: z.string(), reason: z.enum(['bounced', 'complained']), since: z.string() }))
        .optional()
        .meta({
          description: "Staff only: the thread's recipients no mail goes to (a permanent bounce or a complaint)",
        }),
      followUpOf: linkedThreadView.nullable().meta({
        description:
          'The closed thread this one continues (a reply by email to it opened this one), if the caller may read it',
      }),
      continuedIn: z.array(linkedThreadView).meta({
        description: 'The follow-ups that continue this (closed) thread, oldest first, that the caller may read',
      }),
    }),
  },
  errors: [404],
});

export const listAssignmentGuestLinks = routeContract({
  method: 'get',
  path: '/api/support/assignments/:assignmentId/guest-links',
  operationId: 'listAssignmentGuestLinks',
  summary: 'Guest links issued for an assignment',
  tags: ['Guest links'],
  access: supportManagers,
  params: z.object({ assignmentId: z.string().max(100) }),
  response: { status: 200, description: 'Newest first', schema: z.object({ items: z.array(guestLinkView) }) },
});

export const getPublicConfig = routeContract({
  method: 'get',
  path: '/api/support/public/config',
  operationId: 'getPublicConfig',
  summary: 'What the portal needs before sign-in: WhatsApp bubble, number, support email, portal base URL',
  tags: ['System config'],
  access: 'public',
  response: {
    status: 200,
    description: 'The public part of the system config',
    schema: z
      .object({
        whatsappNumber: z.string().nullable(),
        whatsappBubbleEnabled: z.boolean(),
        supportEmail: z.string(),
        portalBaseUrl: z.string().meta({
          description: 'Where links in emails and guest links start (staff pages warn when it is not their origin)',
        }),
        attachments: z
          .object({
            maxBytes: z.number().int(),
            maxFiles: z.number().int(),
            mediaTypes: z.array(z.string()).meta({ description: 'The media types taken (sniffed from the bytes)' }),
            scanned: z
              .boolean()
              .meta({ description: 'Whether files are scanned for viruses (false: no scanner configured)' }),
          })
          .meta({ description: 'What files the desk takes' }),
      })
      .meta({ id: 'PublicConfig' }),
  },
});

export function readRoutes(deps: ReadDependencies): AnyRoute[] {
  const inbox = implement(listInbox, {
    async handle(ctx) {
      const headers = await consistency(deps, ctx, ['threads']);
      const assigneeId =
        ctx.query.assigneeId === 'me' && ctx.identity.kind === 'staff' ? ctx.identity.accountId : ctx.query.assigneeId;
      const { sql, params } = inboxPageSql({ ...ctx.query, assigneeId }, STAFF_COLUMNS);
      const { rows } = await deps.pool.query(sql, params);
      const page = rows.slice(0, ctx.query.limit);
      const sla = await loadThreadSla(
        deps.pool,
        page.map((r) => String(r.thread_id)),
        deps.clock(),
      );
      const items = page.map((r) => ({ ...toStaffSummary(r), sla: sla.get(String(r.thread_id))?.headline ?? null }));
      const last = items[items.length - 1];
      const lastRow = page[page.length - 1] as Record<string, unknown> | undefined;
      const at = ctx.query.sla === 'due' && lastRow ? (lastRow.sla_due_at as Date).toISOString() : last?.lastActivityAt;
      const nextCursor = rows.length > ctx.query.limit && last && at ? encodeCursor({ at, id: last.threadId }) : null;
      return { body: { items, nextCursor }, headers };
    },
  });

  const counts = implement(countInbox, {
    async handle(ctx) {
      const headers = await consistency(deps, ctx, ['threads']);
      const assigneeId =
        ctx.query.assigneeId === 'me' && ctx.identity.kind === 'staff' ? ctx.identity.accountId : ctx.query.assigneeId;
      const { sql, params } = inboxCountsSql({ ...ctx.query, assigneeId });
      const { rows } = await deps.pool.query<{ status: string; n: number }>(sql, params);
      const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
      const body = {
        OPEN: by.OPEN ?? 0,
        PENDING: by.PENDING ?? 0,
        RESOLVED: by.RESOLVED ?? 0,
        CLOSED: by.CLOSED ?? 0,
        ALL: rows.reduce((a, r) => a + r.n, 0),
      };
      return { body, headers };
    },
  });

  const myThreads = implement(listMyThreads, {
    async handle(ctx) {
      const headers = await consistency(deps, ctx, ['threads']);
      const scope = scopeFilter(ctx.identity);
      if (scope.assignmentId && ctx.query.assignmentId && ctx.query.assignmentId !== scope.assignmentId) {
        return { body: { items: [], nextCursor: null }, headers };
      }
      // every filter (status, assignment, q) applies to every scope, a one-thread link's too
      const filter = {
        ...ctx.query,
        assignmentId: scope.assignmentId ?? ctx.query.assignmentId,
        partnerOrgId: scope.partnerOrgId,
        threadId: scope.threadId,
        publicOnly: true,
      };
      const { sql, params } = inboxPageSql(filter, 'i.*');
      const { rows } = await deps.pool.query(sql, params);
      const page = rows.slice(0, ctx.query.limit);
      const items = page.map(toPartnerSummary);
      const last = items[items.length - 1];
      // keyed by the visible activity the page is ordered by (what lastActivityAt shows)
      const nextCursor =
        rows.length > ctx.query.limit && last ? encodeCursor({ at: last.lastActivityAt, id: last.threadId }) : null;
      return { body: { items, nextCursor }, headers };
    },
  });

  const thread = implement(getThread, {
    async handle(ctx) {
      const headers = await consistency(deps, ctx, ['threads', 'guestLinks']);
      const { rows } = await deps.pool.query('SELECT i.* FROM support_inbox i WHERE thread_id = $1', [
        ctx.params.threadId,
      ]);
      const row = rows[0] as Record<string, unknown> | undefined;
      const identity = ctx.identity;
      const visible =
        row &&
        (identity.kind === 'staff' ||
          publicReaderMayRead(identity, {
            threadId: String(row.thread_id),
            partnerOrgId: String(row.partner_org_id),
            assignmentId: String(row.assignment_id),
          }));
      if (!row || !visible) throw problems.notFound(plainWords('thread_not_found'));
      const staff = identity.kind === 'staff';
      // a follow-up and the closed thread it continues, each way, as far as the caller may read them
      const { rows: linked } = await deps.pool.query(
        `SELECT thread_id, subject, status, partner_org_id, assignment_id, follow_up_of FROM support_inbox
          WHERE thread_id = $2 OR follow_up_of = $1 ORDER BY raised_at, thread_id`,
        [ctx.params.threadId, row.follow_up_of ?? null],
      );
      const readable = linked.filter(
        (l) =>
          staff ||
          publicReaderMayRead(identity, {
            threadId: String(l.thread_id),
            partnerOrgId: String(l.partner_org_id),
            assignmentId: String(l.assignment_id),
          }),
      );
      const origin = readable.find((l) => row.follow_up_of != null && l.thread_id === row.follow_up_of);
      const links = {
        followUpOf: origin ? toLinkedThread(origin) : null,
        continuedIn: readable.filter((l) => l.follow_up_of === row.thread_id).map(toLinkedThread),
      };
      const [{ rows: messages }, files] = await Promise.all([
        deps.pool.query(
          `SELECT * FROM support_messages WHERE thread_id = $1 ${staff ? '' : "AND visibility = 'external'"} ORDER BY revision`,
          [ctx.params.threadId],
        ),
        attachmentsByMessage(deps.pool, { threadId: ctx.params.threadId }, staff ? 'staff' : 'public'),
      ]);
      const filesOf = (m: Record<string, unknown>) => files.get(String(m.message_id)) ?? [];
      if (!staff) {
        return {
          body: {
            thread: toPartnerSummary(row),
            messages: messages.map((m) => toMessage(m, 'public', filesOf(m))),
            ...links,
          },
          headers,
        };
      }
      // our outcome of each send, and what the provider reported after taking it (the strongest report)
      const { rows: deliveries } = await deps.pool.query(
        `SELECT d.email_id, d.message_id, d.recipient, d.template, d.status, d.provider_id, d.error_name, d.attempts,
                d.last_error, d.occurred_at, r.state AS reported_state, r.reason AS reported_reason,
                r.occurred_at AS reported_at
           FROM email_deliveries d LEFT JOIN email_delivery_reports r ON r.email_id = d.email_id
          WHERE d.thread_id = $1 ORDER BY d.occurred_at`,
        [ctx.params.threadId],
      );
      const emailsOf = (messageId: string) =>
        deliveries
          .filter((d) => d.message_id === messageId)
          .map((d) => ({
            emailId: String(d.email_id),
            recipient: String(d.recipient),
            template: emailTemplateSchema.parse(d.template),
            status: shownEmailStatus(d),
            attempts: Number(d.attempts),
            lastError: ((d.reported_state ? d.reported_reason : d.last_error) as string | null) ?? null,
            at: ((d.reported_at ?? d.occurred_at) as Date).toISOString(),
          }));
      // the thread's recipients are those of its deliveries, read above: which of them no mail goes to
      const recipients = [...new Set(deliveries.map((d) => String(d.recipient).toLowerCase()))];
      const [{ rows: suppressed }, { rows: guestLinks }] = await Promise.all([
        deps.pool.query<{ address: string; reason: 'bounced' | 'complained'; since: Date }>(
          `SELECT address, reason, suppressed_at AS since FROM email_suppressions
            WHERE active AND address = ANY($1::text[]) ORDER BY address`,
          [recipients],
        ),
        deps.pool.query('SELECT * FROM support_guest_links WHERE thread_id = $1 ORDER BY issued_at DESC', [
          ctx.params.threadId,
        ]),
      ]);
      const now = deps.clock();
      const sla = (await loadThreadSla(deps.pool, [ctx.params.threadId], now)).get(ctx.params.threadId);
      return {
        body: {
          thread: { ...toStaffSummary(row), sla: sla?.headline ?? null },
          sla: sla?.detail ?? null,
          messages: messages.map((m) => ({
            ...toMessage(m, 'staff', filesOf(m)),
            emails: emailsOf(String(m.message_id)),
          })),
          guestLinks: guestLinks.map((l) => toGuestLink(l, now)),
          suppressedRecipients: suppressed.map((r) => ({
            address: r.address,
            reason: r.reason,
            since: r.since.toISOString(),
          })),
          ...links,
        },
        headers,
      };
    },
  });

  const assignmentLinks = implement(listAssignmentGuestLinks, {
    async handle(ctx) {
      const { rows } = await deps.pool.query(
        'SELECT * FROM support_guest_links WHERE assignment_id = $1 ORDER BY issued_at DESC',
        [ctx.params.assignmentId],
      );
      const now = deps.clock();
      return { body: { items: rows.map((r) => toGuestLink(r, now)) } };
    },
  });

  const publicConfig = implement(getPublicConfig, {
    async handle() {
      // no-cache: browsers and proxies may keep it but ask again each time (a conditional request,
      // answered 304 by its ETag while nothing changed), so a saved change shows on the next load
      return {
        body: {
          ...(await deps.publicConfig.get()),
          attachments: { ...deps.attachmentLimits, mediaTypes: [...deps.attachmentLimits.mediaTypes] },
        },
        headers: { 'Cache-Control': 'public, no-cache' },
      };
    },
  });

  return [inbox, counts, myThreads, thread, assignmentLinks, publicConfig];
}

/**
 * The state of an email beside its message: what the provider reported, when it did (the
 * strongest report); else our own outcome. Taken by the provider and not reported on yet is
 * `accepted`; the development mailbox (`dev-…`) is the recipient's inbox, so there it is
 * `delivered`. An email not sent because its address is suppressed is `suppressed`.
 */
function shownEmailStatus(d: Record<string, unknown>): string {
  if (typeof d.reported_state === 'string') return d.reported_state;
  if (d.status === 'delivered') return String(d.provider_id ?? '').startsWith('dev-') ? 'delivered' : 'accepted';
  if (d.status === 'failed' && d.error_name === 'suppressed') return 'suppressed';
  return String(d.status);
}
