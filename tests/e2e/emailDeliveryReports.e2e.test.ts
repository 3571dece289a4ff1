import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { allProjections } from '../../projections/index.js';
import { DeliveryReportWorker } from '../../workers/email/delivery/deliveryReportWorker.js';
import { deliveryReportWorkerFromConfig } from '../../workers/email/delivery/deliveryReportWorkerFromConfig.js';
import { addressStreamName } from '../../workers/email/delivery/suppressedAddresses.js';
import type { EmailWorker } from '../../workers/email/emailWorker.js';
import { FakeResendServer, type ReceivedEmail } from '../support/fakeResend/fakeResendServer.js';
import type { DeliveryEventType, FakeResendWebhookSender } from '../support/fakeResend/webhookSender.js';
import { startEmailDesk, type EmailDesk } from '../support/emailDesk.js';
import { committedLogEnd } from '../support/logEnd.js';
import { ok, type ApiClient, type TestDesk } from '../support/testDesk.js';

/**
 * What becomes of the mail the desk sent, all the way: the emails go out through the real SDK to
 * the fake Resend server, which emits the delivery webhooks Resend would send about them, signed
 * as Resend signs them; the real route records them and the delivery report worker turns them
 * into events. The inbox shows the strongest state; a permanent bounce or a complaint stops mail
 * to the address until an admin clears it.
 */

const DAY = 24 * 3600 * 1000;

interface ThreadEmail {
  emailId: string;
  recipient: string;
  template: string;
  status: string;
  lastError: string | null;
}

interface StaffThread {
  messages: { messageId: string; body: string; emails?: ThreadEmail[] }[];
  suppressedRecipients?: { address: string; reason: string; since: string }[];
}

interface QueueEntry {
  id: string;
  recipient: string;
  template: string;
  status: string;
  lastError: string | null;
  delivery: { state: string; reason: string | null; at: string } | null;
}

describe('delivery reports and suppressed addresses', () => {
  let kit: EmailDesk;
  let desk: TestDesk;
  let resend: FakeResendServer;
  let webhooks: FakeResendWebhookSender;
  let admin: ApiClient;
  let agent: ApiClient;
  let ops: ApiClient;
  let partner: ApiClient;
  let outbound: EmailWorker;
  let reports: DeliveryReportWorker;
  const fromAddress = () => kit.fromAddress();

  beforeAll(async () => {
    kit = await startEmailDesk();
    ({ desk, resend, webhooks, outbound } = kit);
    [admin, agent, ops, partner] = await Promise.all([
      desk.signIn('admin@demo.test'),
      desk.signIn('agent@demo.test'),
      desk.signIn('ops@demo.test'),
      desk.signIn('partner@acme.test'),
    ]);
    reports = deliveryReportWorkerFromConfig({
      pool: desk.db.pool,
      eventStore: desk.eventStore,
      config: kit.config(),
      tuning: { backoff: { baseMs: 0, capMs: 0 } },
    });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  afterAll(async () => {
    await kit?.stop();
  });

  /** Every read model has reached the end of the log. */
  async function projected(): Promise<void> {
    // the newest committed event: headPosition trails it while any transaction of the shared cluster is open
    const head = await committedLogEnd(desk.db.pool);
    const names = allProjections.map((p) => p.name);
    expect(await desk.desk.watcher.waitFor(head, names, 10_000)).toBe(true);
  }

  /** Runs the email worker until `done` holds (the process manager reads only what is committed before it). */
  async function sendUntil(done: () => Promise<boolean> | boolean): Promise<void> {
    for (let round = 0; round < 200 && !(await done()); round++) {
      await outbound.runOnce();
      if (!(await done())) await new Promise((r) => setTimeout(r, 20));
    }
    expect(await done()).toBe(true);
  }

  const emailsTo = (address: string, text?: string): ReceivedEmail[] =>
    resend.delivered.filter((e) => e.to.includes(address) && (!text || e.text?.includes(text)));

  const outboxRow = async (template: string, recipient: string, threadId: string) =>
    (
      await desk.db.pool.query<{ id: string; status: string; last_error: string | null; provider_id: string | null }>(
        `SELECT id, status, last_error, provider_id FROM email_outbox
          WHERE thread_id = $1 AND template = $2 AND recipient = $3 ORDER BY created_at DESC LIMIT 1`,
        [threadId, template, recipient],
      )
    ).rows[0];

  /**
   * A thread the partner raised, with a guest link emailed to `guest` and a reply by support that
   * went to both: the reply's emails as the fake server accepted them.
   */
  async function threadWithReply(subject: string, guest: string) {
    const { threadId } = await ok(
      partner.request<{ threadId: string }>('POST', '/api/support/threads', {
        assignmentId: 'asg-1001',
        queryType: 'DOCUMENTS',
        priority: 'MEDIUM',
        subject,
        body: `About ${subject}.`,
      }),
    );
    await ok(admin.request('POST', `/api/support/threads/${threadId}/guest-links`, { recipientEmail: guest }));
    await sendUntil(() => emailsTo(guest).length > 0);
    await reply(threadId, `First answer on ${subject}.`);
    await sendUntil(
      () =>
        emailsTo('partner@acme.test', `First answer on ${subject}.`).length > 0 &&
        emailsTo(guest, `First answer on ${subject}.`).length > 0,
    );
    return {
      threadId,
      toPartner: emailsTo('partner@acme.test', `First answer on ${subject}.`)[0]!,
      toGuest: emailsTo(guest, `First answer on ${subject}.`)[0]!,
      linkEmail: emailsTo(guest)[0]!,
    };
  }

  async function reply(threadId: string, body: string): Promise<void> {
    await ok(admin.request('POST', `/api/support/threads/${threadId}/messages`, { body, visibility: 'external' }));
  }

  /** Resend's delivery webhooks about these emails, each a delivery of its own. */
  const deliveriesOf = (...events: [ReceivedEmail, DeliveryEventType][]) =>
    events.map(([email, type]) => webhooks.delivery(resend.deliveryEvent(email.id, type)));

  async function staffThread(threadId: string): Promise<StaffThread> {
    await projected();
    return ok(admin.request<StaffThread>('GET', `/api/support/threads/${threadId}`), 200);
  }

  /** The thread view's emails of the message with this body. */
  async function emailsOfMessage(threadId: string, body: string): Promise<ThreadEmail[]> {
    const view = await staffThread(threadId);
    return view.messages.find((m) => m.body === body)?.emails ?? [];
  }

  async function queueOf(threadId: string): Promise<QueueEntry[]> {
    const queue = await ok(
      ops.request<{ emails: QueueEntry[] }>('GET', `/api/ops/email/queue?threadId=${threadId}`),
      200,
    );
    return queue.emails;
  }

  const streamEvents = async (stream: string, type: string) =>
    (await desk.eventStore.readStream(stream)).filter((e) => e.type === type);

  it('when a reply is sent and delivered, with the sent report arriving after the delivered one, then it shows delivered', async () => {
    const { threadId, toPartner } = await threadWithReply('Pallet labels', 'lee@carrier.test');
    const body = 'First answer on Pallet labels.';
    // taken by Resend, nothing reported yet
    expect((await emailsOfMessage(threadId, body)).find((e) => e.recipient === 'partner@acme.test')?.status).toBe(
      'accepted',
    );

    const [sent, delivered, delayed] = deliveriesOf(
      [toPartner, 'email.sent'],
      [toPartner, 'email.delivered'],
      [toPartner, 'email.delivery_delayed'],
    );
    const attempts = await webhooks.outOfOrder([sent!, delivered!], { headers: fromAddress() });
    expect(attempts.map((a) => a.status)).toEqual([200, 200]);
    expect(await reports.runOnce()).toMatchObject({ recorded: 2, skipped: 0, retrying: 0 });
    const shown = (await emailsOfMessage(threadId, body)).find((e) => e.recipient === 'partner@acme.test');
    expect(shown?.status).toBe('delivered');

    // a delay reported after the delivery does not move it back either
    await webhooks.send(delayed!, { headers: fromAddress() });
    expect(await reports.runOnce()).toMatchObject({ recorded: 1 });
    expect((await emailsOfMessage(threadId, body)).find((e) => e.recipient === 'partner@acme.test')?.status).toBe(
      'delivered',
    );
    // every report is kept for the audit, in the order it arrived
    const reported = await streamEvents(`threadEmail-${threadId}`, 'EmailDeliveryReported');
    expect(reported.map((e) => e.data.state)).toEqual(['delivered', 'sent', 'delayed']);
    expect(reported[0]!.data).toMatchObject({ recipient: 'partner@acme.test', providerId: toPartner.id });

    // the ops queue shows it too
    const row = await outboxRow('staff_reply', 'partner@acme.test', threadId);
    const entry = (await queueOf(threadId)).find((e) => e.id === row!.id);
    expect(entry).toMatchObject({ status: 'sent', delivery: { state: 'delivered' } });
  });

  it('when the same bounce is delivered three times and replayed a day later, then it makes one event', async () => {
    const guest = 'bounce-once@carrier.test';
    const { threadId, toGuest } = await threadWithReply('Customs stamp', guest);
    const [bounce] = deliveriesOf([toGuest, 'email.bounced']);
    const retried = await webhooks.retries(bounce!, 2, { headers: fromAddress() });
    const duplicated = await webhooks.duplicates(bounce!, 2, { headers: fromAddress() });
    expect([...retried, ...duplicated].map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(await reports.runOnce()).toMatchObject({ claimed: 1, recorded: 1 });

    vi.useFakeTimers({ toFake: ['Date'], now: new Date() });
    vi.setSystemTime(Date.now() + DAY);
    const replay = await webhooks.replay(bounce!, { headers: fromAddress() });
    expect(replay.answer).toEqual({ received: true, duplicate: true });
    expect(await reports.runOnce()).toMatchObject({ claimed: 0 });
    vi.useRealTimers();

    // a worker that died after appending, before it marked the delivery done: worked again, nothing more appended
    await desk.db.pool.query(
      'UPDATE resend_webhook_deliveries SET processed_at = NULL, outcome = NULL WHERE svix_id = $1',
      [bounce!.id],
    );
    expect(await reports.runOnce()).toMatchObject({ claimed: 1, recorded: 1 });

    const bounced = (await streamEvents(`threadEmail-${threadId}`, 'EmailDeliveryReported')).filter(
      (e) => e.data.state === 'bounced',
    );
    expect(bounced).toHaveLength(1);
    expect(bounced[0]!.data).toMatchObject({ recipient: guest, bounceType: 'Permanent' });
    expect(await streamEvents(addressStreamName(guest), 'EmailAddressSuppressed')).toHaveLength(1);
  });

  it('when a permanent bounce comes back, then staff see it on the thread and the next email to that address is not sent', async () => {
    const guest = 'gone@carrier.test';
    const { threadId, toGuest } = await threadWithReply('Missing invoice', guest);
    // a transient bounce is shown, and stops nothing
    const transient = webhooks.delivery(
      resend.deliveryEvent(toGuest.id, 'email.bounced', {
        bounce: { type: 'Transient', subType: 'MailboxFull', message: 'Mailbox full' },
      }),
    );
    await webhooks.send(transient, { headers: fromAddress() });
    expect(await reports.runOnce()).toMatchObject({ recorded: 1 });
    let view = await staffThread(threadId);
    expect(view.suppressedRecipients).toEqual([]);

    const [permanent] = deliveriesOf([toGuest, 'email.bounced']);
    await webhooks.send(permanent!, { headers: fromAddress() });
    expect(await reports.runOnce()).toMatchObject({ recorded: 1 });
    view = await staffThread(threadId);
    expect(view.suppressedRecipients).toEqual([{ address: guest, reason: 'bounced', since: expect.any(String) }]);
    // partners never see it
    const partnerView = await ok(
      partner.request<Record<string, unknown>>('GET', `/api/support/threads/${threadId}`),
      200,
    );
    expect(partnerView).not.toHaveProperty('suppressedRecipients');
    expect(JSON.stringify(partnerView)).not.toContain(guest);

    const sentToGuest = emailsTo(guest).length;
    await reply(threadId, 'Second answer on Missing invoice.');
    await sendUntil(async () => (await outboxRow('staff_reply', guest, threadId))?.status === 'failed');
    expect(emailsTo(guest)).toHaveLength(sentToGuest);
    expect(emailsTo('partner@acme.test', 'Second answer on Missing invoice.')).toHaveLength(1);
    const refused = await outboxRow('staff_reply', guest, threadId);
    expect(refused).toMatchObject({ status: 'failed', last_error: 'suppressed: bounced', provider_id: null });
    const chips = await emailsOfMessage(threadId, 'Second answer on Missing invoice.');
    expect(chips.find((e) => e.recipient === guest)).toMatchObject({
      status: 'suppressed',
      lastError: 'suppressed: bounced',
    });
    expect((await queueOf(threadId)).find((e) => e.id === refused!.id)).toMatchObject({
      status: 'failed',
      lastError: 'suppressed: bounced',
    });
  });

  it('when a recipient complains, then mail to them stops until an admin clears it, and then goes again', async () => {
    const guest = 'angry@carrier.test';
    const { threadId, toGuest } = await threadWithReply('Late pickup', guest);
    const [complaint] = deliveriesOf([toGuest, 'email.complained']);
    await webhooks.send(complaint!, { headers: fromAddress() });
    expect(await reports.runOnce()).toMatchObject({ recorded: 1 });
    expect(
      (await emailsOfMessage(threadId, 'First answer on Late pickup.')).find((e) => e.recipient === guest)?.status,
    ).toBe('complained');
    const listed = await ok(
      ops.request<{ items: { address: string; active: boolean; reason: string }[] }>('GET', '/api/email/suppressions'),
      200,
    );
    expect(listed.items).toContainEqual(
      expect.objectContaining({ address: guest, active: true, reason: 'complained' }),
    );

    await reply(threadId, 'Second answer on Late pickup.');
    await sendUntil(async () => (await outboxRow('staff_reply', guest, threadId))?.status === 'failed');
    expect(emailsTo(guest, 'Second answer on Late pickup.')).toHaveLength(0);
    expect((await outboxRow('staff_reply', guest, threadId))?.last_error).toBe('suppressed: complained');

    // only admins clear, with a reason, an address whose mail is stopped
    const clear = (client: ApiClient, body: unknown) => client.request('POST', '/api/email/suppressions/clear', body);
    expect((await clear(agent, { address: guest, reason: 'asked to' })).status).toBe(403);
    expect((await clear(ops, { address: guest, reason: 'asked to' })).status).toBe(403);
    expect((await agent.request('GET', '/api/email/suppressions')).status).toBe(403);
    const bad = await clear(admin, { address: 'not an address', reason: '' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((bad.body as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual([
      'body.address',
      'body.reason',
    ]);
    expect((await clear(admin, { address: 'nobody@carrier.test', reason: 'typo' })).status).toBe(404);

    const cleared = await ok(
      admin.request<{ cleared: boolean; address: string }>('POST', '/api/email/suppressions/clear', {
        address: guest.toUpperCase(),
        reason: 'Confirmed by phone, wants the updates',
      }),
      200,
    );
    expect(cleared).toMatchObject({ cleared: true, address: guest });
    const [clearedEvent] = await streamEvents(addressStreamName(guest), 'EmailAddressSuppressionCleared');
    expect(clearedEvent!.data).toMatchObject({
      address: guest,
      by: { name: expect.any(String) },
      reason: 'Confirmed by phone, wants the updates',
    });
    expect(clearedEvent!.metadata.actor).toMatchObject({ type: 'user' });
    expect((await clear(admin, { address: guest, reason: 'again' })).status).toBe(404);

    // the old complaint, sent again under a new delivery id, does not stop mail again: it happened before the clear
    await webhooks.send(webhooks.delivery(complaint!.event), { headers: fromAddress() });
    expect(await reports.runOnce()).toMatchObject({ recorded: 1 });
    await projected();
    const after = await ok(
      admin.request<{ items: { address: string; active: boolean; clearedReason: string | null }[] }>(
        'GET',
        '/api/email/suppressions?includeCleared=true',
      ),
      200,
    );
    expect(after.items.find((s) => s.address === guest)).toMatchObject({
      active: false,
      clearedReason: 'Confirmed by phone, wants the updates',
    });

    await reply(threadId, 'Third answer on Late pickup.');
    await sendUntil(() => emailsTo(guest, 'Third answer on Late pickup.').length > 0);
    expect((await staffThread(threadId)).suppressedRecipients).toEqual([]);
  });

  it('when a report arrives before the sender recorded the id Resend answered, then it waits for it', async () => {
    const { threadId, toPartner } = await threadWithReply('Early report', 'early@carrier.test');
    const row = await outboxRow('staff_reply', 'partner@acme.test', threadId);
    // as if the worker had sent it and not yet recorded Resend's answer
    await desk.db.pool.query('UPDATE email_outbox SET provider_id = NULL WHERE id = $1', [row!.id]);
    const [delivered] = deliveriesOf([toPartner, 'email.delivered']);
    await webhooks.send(delivered!, { headers: fromAddress() });
    expect(await reports.runOnce()).toMatchObject({ claimed: 1, waiting: 1, recorded: 0, skipped: 0 });
    await desk.db.pool.query('UPDATE email_outbox SET provider_id = $2 WHERE id = $1', [row!.id, toPartner.id]);
    expect(await reports.runOnce()).toMatchObject({ claimed: 1, recorded: 1 });
    const chips = await emailsOfMessage(threadId, 'First answer on Early report.');
    expect(chips.find((e) => e.recipient === 'partner@acme.test')?.status).toBe('delivered');
  });

  it('when a report names an email the desk never sent, then it is skipped with its reason', async () => {
    const waiting = deliveryReportWorkerFromConfig({
      pool: desk.db.pool,
      eventStore: desk.eventStore,
      config: { EMAIL_MAX_ATTEMPTS: 2, EMAIL_POLL_MS: 20 },
      tuning: { backoff: { baseMs: 0, capMs: 0 }, unknownEmailGraceMs: 0 },
    });
    const stranger = webhooks.delivery({
      type: 'email.delivered',
      created_at: new Date().toISOString(),
      data: {
        email_id: '4ef9a417-02e9-4d39-ad75-9611e0fcc33c',
        created_at: new Date().toISOString(),
        message_id: '<x@elsewhere.test>',
        from: 'someone@elsewhere.test',
        to: ['pat@elsewhere.test'],
        subject: 'Not ours',
      },
    });
    await webhooks.send(stranger, { headers: fromAddress() });
    expect(await waiting.runOnce()).toMatchObject({ claimed: 1, skipped: 1, dead: 0 });
    const { rows } = await desk.db.pool.query(
      'SELECT outcome, outcome_reason, dead_at FROM resend_webhook_deliveries WHERE svix_id = $1',
      [stranger.id],
    );
    expect(rows).toEqual([{ outcome: 'skipped', outcome_reason: 'unknown_email', dead_at: null }]);
  });

  it('when a report cannot be recorded however often it is tried, then it is dead-lettered, counted, listed for ops and retried once the cause is gone', async () => {
    const { threadId, toPartner } = await threadWithReply('Report against a failing store', 'lee2@carrier.test');
    // an event store that refuses every append (the real one underneath for everything else)
    const failing = new Proxy(desk.eventStore, {
      get(target, property) {
        if (property === 'append') return () => Promise.reject(new Error('the event store is away'));
        const value = Reflect.get(target, property) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const doomed = new DeliveryReportWorker({
      pool: desk.db.pool,
      eventStore: failing,
      maxAttempts: 2,
      backoff: { baseMs: 0, capMs: 0 },
    });
    const [delivered] = deliveriesOf([toPartner, 'email.delivered']);
    await webhooks.send(delivered!, { headers: fromAddress() });
    expect(await doomed.runOnce()).toMatchObject({ claimed: 2, retrying: 1, dead: 1 });

    const metrics = await (await fetch(`${desk.base}/metrics`)).text();
    expect(metrics).toMatch(/^support_desk_delivery_reports_dead 1$/m);
    const dead = await ok(
      ops.request<{ items: { svixId: string; type: string; lastError: string | null }[] }>(
        'GET',
        '/api/ops/inbound/dead',
      ),
      200,
    );
    expect(dead.items).toContainEqual(
      expect.objectContaining({ svixId: delivered!.id, type: 'email.delivered', lastError: 'the event store is away' }),
    );

    await ok(ops.request('POST', `/api/ops/inbound/dead/${encodeURIComponent(delivered!.id)}/retry`), 200);
    expect(await reports.runOnce()).toMatchObject({ claimed: 1, recorded: 1 });
    expect(
      (await emailsOfMessage(threadId, 'First answer on Report against a failing store.')).find(
        (e) => e.recipient === 'partner@acme.test',
      )?.status,
    ).toBe('delivered');
    expect(await (await fetch(`${desk.base}/metrics`)).text()).toMatch(/^support_desk_delivery_reports_dead 0$/m);
  });
});
