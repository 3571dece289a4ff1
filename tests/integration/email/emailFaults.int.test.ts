import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { emailQueueStats, retryEmail } from '../../../workers/email/emailOps.js';
import { EmailSender } from '../../../workers/email/emailSender.js';
import type { RecordedEvent } from '../../../eventstore/port.js';
import { startEmailKit, type EmailKit } from './emailTestKit.js';

const isSystemNote = (e: RecordedEvent) =>
  e.type === 'MessagePosted' &&
  e.data.visibility === 'internal' &&
  (e.data.by as { kind: string; id: string }).kind === 'system' &&
  (e.data.by as { id: string }).id === 'email';

/** Exactly once under faults, crashes and concurrent workers; permanent and exhausted failures. */
describe('email delivery: exactly once, whatever happens', () => {
  let kit: EmailKit;

  beforeAll(async () => {
    kit = await startEmailKit();
  });
  afterAll(async () => kit?.stop());
  beforeEach(() => kit.fake.resetFaults());

  it('when the provider fails often (500s, 429s, timeouts, dropped connections), then every email is delivered exactly once', async () => {
    const threadIds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const threadId = await kit.raise({ subject: `Fault run ${i}` });
      await kit.post(threadId, `Answer ${i}`);
      threadIds.push(threadId);
    }
    kit.fake.setFaults({
      serverErrorRate: 0.3,
      rateLimitRate: 0.1,
      retryAfterSeconds: 1,
      slowRate: 0.1,
      slowMs: 700, // beyond the worker's 400 ms timeout: the email is sent, the answer never arrives
      dropAfterSendRate: 0.08,
      dropBeforeSendRate: 0.05,
    });
    const worker = kit.worker({ config: { EMAIL_MAX_ATTEMPTS: 40 } });
    await kit.drain(worker, 55_000);

    const rows = await kit.outbox({ threadIds });
    expect(rows).toHaveLength(threadIds.length * 3);
    const failedRequests = kit.fake.log.filter((l) => rows.some((r) => r.id === l.idempotencyKey) && l.status !== 200);
    expect(failedRequests.length).toBeGreaterThan(5); // the faults did happen
    expect(failedRequests.some((l) => l.errorName === 'rate_limit_exceeded')).toBe(true);
    for (const row of rows) {
      expect(row.status).toBe('sent');
      expect(kit.fake.deliveriesFor(row.id)).toBe(1);
      expect(row.provider_id).toBe(kit.fake.emailsFor(row.id)[0]!.id);
    }
    for (const threadId of threadIds) {
      const delivered = (await kit.emailEvents(threadId)).filter((e) => e.type === 'EmailDelivered');
      expect(delivered).toHaveLength(3);
    }
  }, 60_000);

  it('when a worker dies between the send and recording it, then a fresh worker sends no duplicate', async () => {
    class DyingSender extends EmailSender {
      protected override async recordOutcome(): Promise<never> {
        throw new Error('worker killed after the send');
      }
    }
    const threadId = await kit.raise({ subject: 'Crash run' });
    const lease = { leaseMs: 600, sendTimeoutMs: 300 };
    const dying = kit.worker({ sender: lease, createSender: (options) => new DyingSender(options) });
    await expect(dying.runOnce()).rejects.toThrow('worker killed');
    await new Promise((r) => setTimeout(r, 100)); // the other send of the batch finishes too
    const rows = await kit.outbox({ threadId });
    expect(rows).toHaveLength(2);
    const firstIds = new Map(rows.map((r) => [r.id, kit.fake.emailsFor(r.id)[0]?.id]));
    for (const row of rows) {
      expect(row.status).toBe('pending');
      expect(kit.fake.deliveriesFor(row.id)).toBe(1);
    }

    const fresh = kit.worker({ sender: lease });
    await fresh.runOnce(); // the dead worker's claims still hold: nothing is sent yet
    for (const row of rows) expect(kit.fake.requestsFor(row.id)).toBe(1);
    await new Promise((r) => setTimeout(r, 700)); // the lease runs out
    await kit.drain(fresh);
    for (const row of await kit.outbox({ threadId })) {
      expect(row.status).toBe('sent');
      expect(kit.fake.deliveriesFor(row.id)).toBe(1); // the retry got the first result back
      expect(kit.fake.requestsFor(row.id)).toBe(2);
      expect(row.provider_id).toBe(firstIds.get(row.id));
      expect(row.attempts).toBe(2);
    }
    expect((await kit.emailEvents(threadId)).filter((e) => e.type === 'EmailDelivered')).toHaveLength(2);
  });

  it('when a worker dies after recording the outcome but before its events, then another appends them once, without sending again', async () => {
    class DyingBeforeEvents extends EmailSender {
      protected override async appendOutcome(): Promise<never> {
        throw new Error('worker killed before the events');
      }
    }
    const threadId = await kit.raise({ subject: 'Crash before events' });
    const lease = { leaseMs: 500, sendTimeoutMs: 300 };
    await expect(
      kit.worker({ sender: lease, createSender: (options) => new DyingBeforeEvents(options) }).runOnce(),
    ).rejects.toThrow('before the events');
    await new Promise((r) => setTimeout(r, 100));
    for (const row of await kit.outbox({ threadId }))
      expect(row).toMatchObject({ status: 'sent', events_pending: true });
    expect(await kit.emailEvents(threadId)).toHaveLength(0);

    await new Promise((r) => setTimeout(r, 500)); // the lease runs out
    const fresh = kit.worker({ sender: lease });
    await kit.drain(fresh);
    await kit.drain(kit.worker({ sender: lease }));
    for (const row of await kit.outbox({ threadId })) {
      expect(row).toMatchObject({ status: 'sent', events_pending: false });
      expect(kit.fake.requestsFor(row.id)).toBe(1);
    }
    expect((await kit.emailEvents(threadId)).map((e) => e.type)).toEqual(['EmailDelivered', 'EmailDelivered']);
  });

  it('when two workers run at once, then no email is ever sent twice', async () => {
    kit.fake.setFaults({ processingMs: 20, slowRate: 0.3, slowMs: 60 });
    const a = kit.worker({ workerId: 'worker-a' });
    const b = kit.worker({ workerId: 'worker-b' });
    await Promise.all([a.start(), b.start()]);
    const threadIds: string[] = [];
    for (let i = 0; i < 15; i++) {
      const threadId = await kit.raise({ subject: `Concurrent ${i}` });
      await kit.post(threadId, `Concurrent answer ${i}`);
      threadIds.push(threadId);
    }
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rows = await kit.outbox({ threadIds });
      if (rows.length === threadIds.length * 3 && rows.every((r) => r.status === 'sent' && !r.events_pending)) break;
      if (Date.now() > deadline) throw new Error('not all sent');
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all([a.stop(), b.stop()]);
    const rows = await kit.outbox({ threadIds });
    for (const row of rows) {
      expect(kit.fake.requestsFor(row.id)).toBe(1); // one request: nobody else even tried
      expect(kit.fake.deliveriesFor(row.id)).toBe(1);
    }
    const { rows: senders } = await kit.desk.db.pool.query<{ claimed_by: string }>(
      `SELECT DISTINCT claimed_by FROM email_outbox WHERE claimed_by IS NOT NULL`,
    );
    expect(senders).toEqual([]); // every claim was released
  });

  it('when the provider refuses an email for good, then it is not retried and becomes an internal note and an EmailDeliveryFailed event', async () => {
    kit.fake.setFaults({ rejectRecipients: ['partner@acme.test'] });
    const threadId = await kit.raise({ subject: 'Refused' });
    await kit.drain(kit.worker());
    const ack = (await kit.outbox({ threadId })).find((r) => r.template === 'query_raised_ack')!;
    expect(ack).toMatchObject({ status: 'failed', attempts: 1, last_error_name: 'validation_error' });
    expect(kit.fake.requestsFor(ack.id)).toBe(1);

    const notes = (await kit.threadEvents(threadId)).filter(isSystemNote);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.data.body).toMatch(/^could not email partner@acme\.test: validation_error: Invalid `to` field/);
    const failed = (await kit.emailEvents(threadId)).filter((e) => e.type === 'EmailDeliveryFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({
      emailId: ack.id,
      template: 'query_raised_ack',
      recipient: 'partner@acme.test',
      permanent: true,
      attempts: 1,
      errorName: 'validation_error',
    });
    expect(JSON.stringify([failed[0]!.data, failed[0]!.metadata])).not.toContain(kit.fake.apiKey);

    // running again changes nothing: no second request, no second note
    await kit.drain(kit.worker());
    expect(kit.fake.requestsFor(ack.id)).toBe(1);
    expect((await kit.threadEvents(threadId)).filter(isSystemNote)).toHaveLength(1);
  });

  it('when rate limited, then the email waits at least Retry-After and the worker pauses its claims', async () => {
    kit.fake.setFaults({ rateLimitRate: 1, retryAfterSeconds: 2 });
    const threadId = await kit.raise({ subject: 'Rate limited' });
    const worker = kit.worker();
    // the worker's clock stands still from the send to the check below, so that its pause is
    // measured from the send, not shortened by however long this machine takes to get there
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      await worker.runOnce();
      expect(worker.sender.pausedMs).toBe(2000);
    } finally {
      vi.useRealTimers();
    }
    // the wait is set from the moment of the failure (the row's updated_at, the same statement's now())
    const { rows } = await kit.desk.db.pool.query<{ wait: number; attempts: number; last_error_name: string }>(
      `SELECT extract(epoch FROM next_attempt_at - updated_at)::float8 AS wait, attempts, last_error_name
         FROM email_outbox WHERE thread_id = $1`,
      [threadId],
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({ attempts: 1, last_error_name: 'rate_limit_exceeded' });
      expect(row.wait).toBeGreaterThanOrEqual(2);
    }
    expect((await emailQueueStats(kit.desk.db.pool)).retrying).toBeGreaterThanOrEqual(2);
    kit.fake.resetFaults();
    await kit.drain(kit.worker());
    for (const row of await kit.outbox({ threadId })) expect(row).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('then the API key reaches neither the logs nor the events', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    kit.fake.setFaults({ serverErrorRate: 0.5, rejectRecipients: ['partner@acme.test'] });
    const threadId = await kit.raise({ subject: 'Secrets' });
    await kit.drain(kit.worker({ logger, config: { EMAIL_MAX_ATTEMPTS: 20 } }));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(kit.fake.apiKey);
    const { rows } = await kit.desk.db.pool.query<{ text: string }>(
      `SELECT data::text || metadata::text AS text FROM es_events WHERE stream_name IN ($1, $2)`,
      [`thread-${threadId}`, `threadEmail-${threadId}`],
    );
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) expect(row.text).not.toContain(kit.fake.apiKey);
  });

  it('when the sending quota is used up, then the email fails permanently without retries', async () => {
    kit.fake.setFaults({ quotaExceeded: 'daily_quota_exceeded' });
    const threadId = await kit.raise({ subject: 'Quota' });
    await kit.drain(kit.worker());
    for (const row of await kit.outbox({ threadId })) {
      expect(row).toMatchObject({ status: 'failed', attempts: 1, last_error_name: 'daily_quota_exceeded' });
      expect(kit.fake.requestsFor(row.id)).toBe(1);
    }
    expect((await kit.threadEvents(threadId)).filter(isSystemNote)).toHaveLength(2);
  });

  it('when every attempt fails, then the email is dead-lettered after EMAIL_MAX_ATTEMPTS, noted even on a closed thread, and can be retried', async () => {
    const threadId = await kit.raise({ subject: 'Exhausted' });
    await kit.transition(threadId, 'close');
    kit.fake.setFaults({ serverErrorRate: 1 });
    await kit.drain(kit.worker({ config: { EMAIL_MAX_ATTEMPTS: 3 } }));
    const rows = await kit.outbox({ threadId });
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'dead', attempts: 3, last_error_name: 'internal_server_error' });
      expect(kit.fake.requestsFor(row.id)).toBe(3);
    }
    const notes = (await kit.threadEvents(threadId)).filter(isSystemNote);
    expect(notes.map((n) => String(n.data.body)).sort()).toEqual([
      expect.stringMatching(/^could not email partner@acme\.test: internal_server_error: gave up after 3 attempts/),
      expect.stringMatching(/^could not email support@example\.com: internal_server_error: gave up after 3 attempts/),
    ]);
    const failed = (await kit.emailEvents(threadId)).filter((e) => e.type === 'EmailDeliveryFailed');
    expect(failed.map((e) => [e.data.permanent, e.data.attempts])).toEqual([
      [false, 3],
      [false, 3],
    ]);
    expect((await emailQueueStats(kit.desk.db.pool)).deadLettered).toBeGreaterThanOrEqual(2);

    // ops retry one after the provider recovered: it is sent, with an event of its own
    kit.fake.resetFaults();
    expect(await retryEmail(kit.desk.db.pool, rows[0]!.id)).toBe('retried');
    expect(await retryEmail(kit.desk.db.pool, rows[0]!.id)).toBe('not_failed');
    await kit.drain(kit.worker());
    const [retried, untouched] = [(await kit.outbox({ threadId }))[0]!, (await kit.outbox({ threadId }))[1]!];
    expect(retried).toMatchObject({ status: 'sent', attempts: 1, round: 1 });
    expect(untouched.status).toBe('dead');
    expect(kit.fake.deliveriesFor(retried.id)).toBe(1);
    const outcomes = (await kit.emailEvents(threadId)).filter((e) => e.data.emailId === retried.id).map((e) => e.type);
    expect(outcomes).toEqual(['EmailDeliveryFailed', 'EmailDelivered']);
    expect((await kit.threadEvents(threadId)).filter(isSystemNote)).toHaveLength(2);
  });
});
