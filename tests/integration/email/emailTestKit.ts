import { expect } from 'vitest';
import type { RecordedEvent } from '../../../eventstore/port.js';
import { emailConfigSchema, type EmailConfig } from '../../../workers/email/emailConfig.js';
import { emailQueueStats } from '../../../workers/email/emailOps.js';
import { EmailWorker, type EmailWorkerOptions } from '../../../workers/email/emailWorker.js';
import { FakeResendServer } from '../../support/fakeResend/fakeResendServer.js';
import { startTestDesk, TEST_GUEST_LINK_SECRET, type ApiClient } from '../../support/testDesk.js';

export interface OutboxRecord {
  id: string;
  event_id: string;
  thread_id: string;
  message_id: string | null;
  template: string;
  audience: string;
  recipient: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  status: string;
  attempts: number;
  round: number;
  provider_id: string | null;
  last_error: string | null;
  last_error_name: string | null;
  events_pending: boolean;
}

export const fastSender = {
  backoff: { baseMs: 5, capMs: 40 },
  sendTimeoutMs: 400,
  leaseMs: 2_000,
};

export const defaultQuery = {
  assignmentId: 'asg-1001',
  queryType: 'DOCUMENTS',
  priority: 'MEDIUM',
  subject: 'Missing delivery note',
  body: 'The delivery note for pallet 7 is missing.',
};

/**
 * A real desk (API, Postgres) and a Resend-compatible fake on free ports, with helpers to make
 * thread events through the API and run email workers against them.
 */
export async function startEmailKit() {
  const desk = await startTestDesk();
  const fake = await FakeResendServer.start();
  const [admin, agent, partner, ops] = await Promise.all([
    desk.signIn('admin@demo.test'),
    desk.signIn('agent@demo.test'),
    desk.signIn('partner@acme.test'),
    desk.signIn('ops@demo.test'),
  ]);
  const workers: EmailWorker[] = [];

  const config = (overrides: Partial<EmailConfig> = {}): EmailConfig =>
    emailConfigSchema.parse({
      RESEND_API_KEY: fake.apiKey,
      RESEND_BASE_URL: fake.url,
      EMAIL_FROM: 'Support desk <desk@example.com>',
      EMAIL_MAX_ATTEMPTS: 8,
      EMAIL_POLL_MS: 20,
      ...overrides,
    });

  function worker(options: Partial<Omit<EmailWorkerOptions, 'config'>> & { config?: Partial<EmailConfig> } = {}) {
    const { config: overrides, ...rest } = options;
    const created = new EmailWorker({
      pool: desk.db.pool,
      eventStore: desk.eventStore,
      config: config(overrides),
      guestLinkSecrets: [TEST_GUEST_LINK_SECRET],
      ...rest,
      sender: { ...fastSender, ...rest.sender },
    });
    workers.push(created);
    return created;
  }

  async function expectStatus<T>(promise: Promise<{ status: number; body: T }>, status: number): Promise<T> {
    const res = await promise;
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res.body;
  }

  async function raise(query: Partial<typeof defaultQuery> = {}, client: ApiClient = partner): Promise<string> {
    const body = await expectStatus(
      client.request<{ threadId: string }>('POST', '/api/support/threads', { ...defaultQuery, ...query }),
      201,
    );
    return body.threadId;
  }

  async function post(
    threadId: string,
    body: string,
    visibility: 'external' | 'internal' = 'external',
    client = admin,
  ) {
    await expectStatus(client.request('POST', `/api/support/threads/${threadId}/messages`, { body, visibility }), 201);
    const events = await desk.eventStore.readStream(`thread-${threadId}`, { direction: 'backwards', limit: 1 });
    return String(events[0]!.data.messageId);
  }

  async function transition(threadId: string, verb: 'resolve' | 'close' | 'reopen', client = admin) {
    await expectStatus(client.request('POST', `/api/support/threads/${threadId}/${verb}`, {}), 200);
  }

  async function issueThreadLink(threadId: string, recipientEmail: string, lifetimeSeconds?: number) {
    return expectStatus(
      admin.request<{ linkId: string; token: string }>('POST', `/api/support/threads/${threadId}/guest-links`, {
        recipientEmail,
        ...(lifetimeSeconds ? { lifetimeSeconds } : {}),
      }),
      201,
    );
  }

  async function outbox(where: { threadId?: string; threadIds?: string[] } = {}): Promise<OutboxRecord[]> {
    const ids = where.threadIds ?? (where.threadId ? [where.threadId] : null);
    const { rows } = await desk.db.pool.query<OutboxRecord>(
      `SELECT id, event_id::text, thread_id::text, message_id::text, template, audience, recipient, subject, html, text,
              headers, status, attempts, round, provider_id, last_error, last_error_name, events_pending
         FROM email_outbox WHERE $1::uuid[] IS NULL OR thread_id = ANY($1::uuid[]) ORDER BY created_at, template, recipient`,
      [ids],
    );
    return rows;
  }

  /** The position of the last event written, committed or not yet visible to readers. */
  async function lastWritten(): Promise<string> {
    const { rows } = await desk.db.pool.query<{ position: string }>(
      `SELECT transaction_id::text || '-' || global_position AS position FROM es_events
        ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    return rows[0]?.position ?? '-1--1';
  }

  /**
   * Runs the worker until its process manager has read every event written so far and nothing
   * is pending, retrying or half-recorded (or fails after `timeoutMs`).
   */
  async function drain(target: EmailWorker, timeoutMs = 45_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await target.runOnce();
      const stats = await emailQueueStats(desk.db.pool);
      const { rows } = await desk.db.pool.query('SELECT 1 FROM email_outbox WHERE events_pending LIMIT 1');
      const caughtUp = (await target.processManager.position()) === (await lastWritten());
      if (caughtUp && stats.pending === 0 && stats.retrying === 0 && rows.length === 0) return;
      if (Date.now() > deadline) throw new Error(`email queue not drained: ${JSON.stringify(stats)}`);
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  /**
   * Runs only the process manager until it has read every event written so far (the outbox then
   * holds every email those events ask for; nothing is sent). One `catchUp` may stop short: the
   * log holds back events behind a transaction still open anywhere in the cluster.
   */
  async function decideAll(target: EmailWorker, timeoutMs = 45_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await target.processManager.catchUp();
      if ((await target.processManager.position()) === (await lastWritten())) return;
      if (Date.now() > deadline) throw new Error('the email process manager did not reach the last event');
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  async function emailEvents(threadId: string): Promise<RecordedEvent[]> {
    return desk.eventStore.readStream(`threadEmail-${threadId}`);
  }

  async function threadEvents(threadId: string): Promise<RecordedEvent[]> {
    return desk.eventStore.readStream(`thread-${threadId}`);
  }

  return {
    desk,
    fake,
    admin,
    agent,
    partner,
    ops,
    config,
    worker,
    raise,
    post,
    transition,
    issueThreadLink,
    outbox,
    drain,
    decideAll,
    emailEvents,
    threadEvents,
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await fake.stop();
      await desk.stop();
    },
  };
}

export type EmailKit = Awaited<ReturnType<typeof startEmailKit>>;
