import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../platform/http/app.js';
import { identityMiddleware } from '../../../platform/identity/middleware.js';
import { createLogger } from '../../../platform/logger.js';
import { emailDeliveriesProjection } from '../../../projections/emailDeliveries.js';
import { ProjectionEngine } from '../../../projections/projectionEngine.js';
import { emailQueueHealth, emailQueueStats, retryAllFailed } from '../../../workers/email/emailOps.js';
import { emailRoutes } from '../../../workers/email/emailRoutes.js';
import { startEmailKit, type EmailKit } from './emailTestKit.js';

interface Client {
  request<T = Record<string, unknown>>(method: string, path: string): Promise<{ status: number; body: T }>;
}

/**
 * The ops side: the development mailbox (no RESEND_API_KEY), the queue and retry routes as
 * declared with defineRoute, the stats, and the delivery log projection.
 */
describe('email ops: queue, retries, development mailbox, delivery log', () => {
  let kit: EmailKit;
  let server: Server;
  let base: string;
  let mailboxOn = true;
  const sessions = new Map<string, { cookie: string; csrf: string }>();

  /** The desk's routes plus the email routes, on a server of their own, signed in with the desk's sessions. */
  async function client(email: string): Promise<Client> {
    let session = sessions.get(email);
    if (!session) {
      const res = await fetch(`${kit.desk.base}/api/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'demo-password-1' }),
      });
      const body = (await res.json()) as { csrfToken: string };
      session = {
        cookie: res.headers
          .getSetCookie()
          .map((c) => c.split(';')[0]!)
          .join('; '),
        csrf: body.csrfToken,
      };
      sessions.set(email, session);
    }
    const { cookie, csrf } = session;
    return {
      async request<T>(method: string, path: string) {
        const res = await fetch(`${base}${path}`, { method, headers: { cookie, 'x-csrf-token': csrf } });
        return { status: res.status, body: (await res.json()) as T };
      },
    };
  }

  beforeAll(async () => {
    kit = await startEmailKit();
    const routes = [
      // the desk's own email routes are replaced by ones whose key can be switched
      ...kit.desk.desk.routes.filter((r) => !r.path.startsWith('/api/ops/email') && r.path !== '/api/ops/mailbox'),
      // the mailbox answers only while no key is set; the switch lets one server show both
      ...emailRoutes({
        pool: kit.desk.db.pool,
        config: {
          get RESEND_API_KEY() {
            return mailboxOn ? undefined : 're_configured';
          },
        },
      }),
    ];
    const app = createApp({
      logger: createLogger('silent'),
      pool: kit.desk.db.pool,
      eventStore: kit.desk.eventStore,
      startedAt: new Date(),
      routes,
      identity: [
        identityMiddleware({
          sessions: kit.desk.desk.sessions,
          resolveGuestToken: async () => 'refused',
          allowedOrigins: [],
        }),
      ],
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await kit?.stop();
  });

  it('when no RESEND_API_KEY is set, then emails land in the development mailbox, marked sent, shown newest first', async () => {
    const threadId = await kit.raise({ subject: 'Dev mailbox <check>' });
    const worker = kit.worker({ config: { RESEND_API_KEY: undefined, RESEND_BASE_URL: undefined } });
    expect(worker.transport.kind).toBe('dev_mailbox');
    await kit.drain(worker);
    const rows = await kit.outbox({ threadId });
    expect(rows.map((r) => [r.status, r.provider_id?.startsWith('dev-')])).toEqual([
      ['sent', true],
      ['sent', true],
    ]);
    expect(kit.fake.delivered).toHaveLength(0);

    const ops = await client('ops@demo.test');
    const mailbox = await ops.request<{ emails: { to: string; subject: string; html: string; headers: object }[] }>(
      'GET',
      '/api/ops/mailbox',
    );
    expect(mailbox.status).toBe(200);
    expect(mailbox.body.emails.map((e) => e.to).sort()).toEqual(['partner@acme.test', 'support@example.com']);
    expect(mailbox.body.emails[0]!.html).toContain('Dev mailbox &lt;check&gt;');
    expect(mailbox.body.emails[0]!.headers).toHaveProperty('Message-ID');
    expect((await (await client('partner@acme.test')).request('GET', '/api/ops/mailbox')).status).toBe(403);
    expect((await (await client('admin@demo.test')).request('GET', '/api/ops/mailbox')).status).toBe(200);

    mailboxOn = false;
    try {
      expect((await ops.request('GET', '/api/ops/mailbox')).status).toBe(404);
    } finally {
      mailboxOn = true;
    }

    // a second run delivers nothing twice
    await kit.drain(kit.worker({ config: { RESEND_API_KEY: undefined, RESEND_BASE_URL: undefined } }));
    const { rows: stored } = await kit.desk.db.pool.query('SELECT 1 FROM dev_mailbox');
    expect(stored).toHaveLength(2);
  });

  it('when ops look at the queue and retry, then the counts, the rows and the retries follow', async () => {
    kit.fake.setFaults({ rejectRecipients: ['partner@acme.test'] });
    const threadId = await kit.raise({ subject: 'Ops queue' });
    await kit.drain(kit.worker());
    kit.fake.resetFaults();
    const stats = await emailQueueStats(kit.desk.db.pool);
    expect(stats).toMatchObject({ pending: 0, retrying: 0, failed: 1, deadLettered: 0 });
    expect(stats.sent).toBeGreaterThanOrEqual(3);

    const ops = await client('ops@demo.test');
    const queue = await ops.request<{
      delivery: string;
      stats: typeof stats;
      emails: { id: string; status: string; recipient: string; attempts: number; lastError: string | null }[];
    }>('GET', `/api/ops/email/queue?threadId=${threadId}`);
    expect(queue.status).toBe(200);
    expect(queue.body.stats).toEqual(stats);
    const failed = queue.body.emails.find((e) => e.status === 'failed')!;
    expect(failed).toMatchObject({ recipient: 'partner@acme.test', attempts: 1 });
    expect(failed.lastError).toMatch(/Invalid `to` field/);
    const onlyFailed = await ops.request<{ emails: unknown[] }>('GET', '/api/ops/email/queue?status=failed');
    expect(onlyFailed.body.emails).toHaveLength(1);

    expect((await (await client('agent@demo.test')).request('GET', '/api/ops/email/queue')).status).toBe(403);
    expect((await ops.request('POST', `/api/ops/email/${'0'.repeat(64)}/retry`)).status).toBe(404);
    const sent = queue.body.emails.find((e) => e.status === 'sent')!;
    expect((await ops.request('POST', `/api/ops/email/${sent.id}/retry`)).status).toBe(409);
    expect((await ops.request('POST', `/api/ops/email/${failed.id}/retry`)).status).toBe(200);
    expect(await emailQueueStats(kit.desk.db.pool)).toMatchObject({ pending: 1, failed: 0 });
    await kit.drain(kit.worker());
    expect(kit.fake.deliveriesFor(failed.id)).toBe(1);
    expect(await retryAllFailed(kit.desk.db.pool)).toBe(0);
    expect((await ops.request<{ retried: number }>('POST', '/api/ops/email/retry-failed')).body).toEqual({
      retried: 0,
    });
    expect((await emailQueueHealth(kit.desk.db.pool)).ok).toBe(true);
  });

  it('when the delivery log projection runs, then each thread and message lists its deliveries', async () => {
    kit.fake.setFaults({ rejectRecipients: ['partner@acme.test'] });
    const threadId = await kit.raise({ subject: 'Delivery log' });
    await kit.drain(kit.worker());
    kit.fake.resetFaults();
    const replyId = await kit.post(threadId, 'Logged reply');
    await kit.drain(kit.worker());
    const engine = new ProjectionEngine({
      pool: kit.desk.db.pool,
      eventStore: kit.desk.eventStore,
      projections: [emailDeliveriesProjection],
    });
    await engine.rebuild(emailDeliveriesProjection.name);
    const { rows } = await kit.desk.db.pool.query<{
      message_id: string | null;
      template: string;
      recipient: string;
      status: string;
      provider_id: string | null;
      attempts: number;
      last_error: string | null;
    }>(
      `SELECT message_id::text, template, recipient, status, provider_id, attempts, last_error
         FROM email_deliveries WHERE thread_id = $1 ORDER BY template, recipient`,
      [threadId],
    );
    const [raised] = await kit.threadEvents(threadId);
    expect(rows.map((r) => [r.template, r.recipient, r.status, r.message_id])).toEqual([
      ['query_raised_ack', 'partner@acme.test', 'failed', raised!.data.messageId],
      ['query_raised_support', 'support@example.com', 'delivered', raised!.data.messageId],
      ['staff_reply', 'partner@acme.test', 'delivered', replyId],
    ]);
    expect(rows[0]!.last_error).toMatch(/Invalid `to` field/);
    expect(rows[2]!.provider_id).toBe(kit.fake.delivered.at(-1)!.id);
    const { rows: byMessage } = await kit.desk.db.pool.query(
      'SELECT recipient FROM email_deliveries WHERE message_id = $1',
      [replyId],
    );
    expect(byMessage).toEqual([{ recipient: 'partner@acme.test' }]);
  });
});
