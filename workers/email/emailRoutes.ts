import type pg from 'pg';
import { z } from 'zod';
import { problems } from '../../platform/http/problem.js';
import { implement, routeContract, type AnyRoute } from '../../platform/http/route.js';
import { listDevMailbox } from './devMailbox.js';
import { replyAsRecipient } from './inbound/devReceiving.js';
import { emailDeliveryMode, type EmailConfig } from './emailConfig.js';
import {
  emailDeliveryReportSchema,
  emailListStatuses,
  emailQueueStats,
  listEmails,
  retryAllFailed,
  retryEmail,
} from './emailOps.js';

export interface EmailRouteDependencies {
  pool: pg.Pool;
  /** Only whether a key is set matters here (the mailbox exists without one); the key is never read. */
  config: Pick<EmailConfig, 'RESEND_API_KEY'>;
  clock?: () => Date;
}

const stats = z.object({
  pending: z.number().int(),
  retrying: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int().meta({ description: 'Refused for good by the provider (not retried)' }),
  deadLettered: z.number().int().meta({ description: 'Every attempt failed' }),
});

const queueEntry = z.object({
  id: z.string().meta({ description: 'The outbox id, also the idempotency key sent to the provider' }),
  threadId: z
    .string()
    .nullable()
    .meta({ description: "The thread it is about; null for the email handing out an assignment's guest link" }),
  guestLinkId: z.string().nullable().meta({ description: 'The guest link it carries (its id), if any' }),
  messageId: z.string().nullable(),
  template: z.string(),
  recipient: z.string(),
  subject: z.string(),
  status: z.enum(emailListStatuses),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  lastErrorName: z.string().nullable(),
  providerId: z.string().nullable(),
  claimedBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  sentAt: z.string().nullable(),
  delivery: emailDeliveryReportSchema,
});

const queueAnswer = z
  .object({ delivery: z.enum(['resend', 'dev_mailbox']), stats, emails: z.array(queueEntry) })
  .meta({ id: 'EmailQueue' });

const emailId = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/, 'must be an email id (64 hex characters)'),
});

const mailboxAnswer = z
  .object({
    emails: z.array(
      z.object({
        id: z.string(),
        emailId: z.string(),
        from: z.string(),
        to: z.string(),
        subject: z.string(),
        html: z.string(),
        text: z.string(),
        headers: z.record(z.string(), z.string()),
        deliveredAt: z.string(),
      }),
    ),
  })
  .meta({ id: 'DevMailbox' });

export const getEmailQueue = routeContract({
  method: 'get',
  path: '/api/ops/email/queue',
  operationId: 'getEmailQueue',
  summary: 'The email queue: counts per state and the latest emails',
  description:
    'pending (not failed yet), retrying (failed, will retry), sent, failed (refused for good), dead-lettered (attempts exhausted).',
  tags: ['Ops'],
  access: ['ops', 'admin'],
  query: z.object({
    status: z.enum(emailListStatuses).optional(),
    threadId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  }),
  response: { status: 200, description: 'Counts and the latest emails', schema: queueAnswer },
});

export const retryOneEmail = routeContract({
  method: 'post',
  path: '/api/ops/email/:id/retry',
  operationId: 'retryEmail',
  summary: 'Send a failed or dead-lettered email again (attempts reset)',
  description: 'The idempotency key stays: an email the provider did accept is not sent twice.',
  tags: ['Ops'],
  access: ['ops', 'admin'],
  params: emailId,
  response: { status: 200, description: 'The email is due again', schema: z.object({ retried: z.literal(true) }) },
  errors: [404, 409],
});

export const retryFailedEmails = routeContract({
  method: 'post',
  path: '/api/ops/email/retry-failed',
  operationId: 'retryFailedEmails',
  summary: 'Send every failed and dead-lettered email again (attempts reset)',
  tags: ['Ops'],
  access: ['ops', 'admin'],
  response: {
    status: 200,
    description: 'How many emails are due again',
    schema: z.object({ retried: z.number().int() }),
  },
});

export const getDevMailbox = routeContract({
  method: 'get',
  path: '/api/ops/mailbox',
  operationId: 'getDevMailbox',
  summary: 'The development mailbox: emails "delivered" locally, newest first',
  description: 'Exists only when no RESEND_API_KEY is set (404 otherwise).',
  tags: ['Ops'],
  access: ['admin', 'ops'],
  query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
  response: { status: 200, description: 'The latest emails', schema: mailboxAnswer },
  errors: [404],
});

export const replyAsMailboxRecipient = routeContract({
  method: 'post',
  path: '/api/ops/mailbox/:id/reply',
  operationId: 'replyAsMailboxRecipient',
  summary: 'Reply to a development mailbox email as its recipient would',
  description:
    "The reply goes to the email's Reply-To (else its From), threaded with In-Reply-To and References and the original quoted below it, and is received as Resend's `email.received` would be: the inbound worker matches it (signature included) and posts it, holds it or ignores it. Exists only when no RESEND_API_KEY is set (404 otherwise).",
  tags: ['Ops'],
  access: ['admin', 'ops'],
  params: z.object({ id: z.string().regex(/^[0-9]{1,18}$/, 'must be a development mailbox id') }),
  body: z.object({
    text: z
      .string({ error: 'must be the text of the reply' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(10_000, { error: 'must be at most 10000 characters' }),
  }),
  response: {
    status: 202,
    description: 'Received: the inbound worker takes it from here',
    schema: z.object({ emailId: z.string(), deliveryId: z.string(), from: z.string(), to: z.string() }),
  },
  errors: [400, 404],
});

/** The email queue for ops and admins, and the development mailbox. */
export function emailRoutes(deps: EmailRouteDependencies): AnyRoute[] {
  const queue = implement(getEmailQueue, {
    async handle(ctx) {
      const [counts, emails] = await Promise.all([
        emailQueueStats(deps.pool),
        listEmails(deps.pool, { limit: ctx.query.limit, status: ctx.query.status, threadId: ctx.query.threadId }),
      ]);
      return { body: { delivery: emailDeliveryMode(deps.config), stats: counts, emails } };
    },
  });

  const retryOne = implement(retryOneEmail, {
    async handle(ctx) {
      const result = await retryEmail(deps.pool, ctx.params.id);
      if (result === 'not_found') throw problems.notFound('This email does not exist.');
      if (result === 'not_failed') throw problems.conflict('not_failed');
      return { body: { retried: true as const } };
    },
  });

  const retryAll = implement(retryFailedEmails, {
    async handle() {
      return { body: { retried: await retryAllFailed(deps.pool) } };
    },
  });

  const mailbox = implement(getDevMailbox, {
    async handle(ctx) {
      if (emailDeliveryMode(deps.config) !== 'dev_mailbox') {
        throw problems.notFound('There is no development mailbox here: emails go to Resend.');
      }
      return { body: { emails: await listDevMailbox(deps.pool, ctx.query.limit) } };
    },
  });

  const reply = implement(replyAsMailboxRecipient, {
    async handle(ctx) {
      if (emailDeliveryMode(deps.config) !== 'dev_mailbox') {
        throw problems.notFound('There is no development mailbox here: replies come in through Resend.');
      }
      const result = await replyAsRecipient(deps.pool, ctx.params.id, ctx.body.text, deps.clock?.() ?? new Date());
      if (!result.ok) throw problems.notFound('This development mailbox email does not exist.');
      const { ok: _ok, ...answer } = result;
      return { status: 202, body: answer };
    },
  });

  return [queue, retryAll, retryOne, mailbox, reply];
}
