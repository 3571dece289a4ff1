import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeResendServer } from '../support/fakeResend/fakeResendServer.js';
import {
  resendEvents,
  sentEmail,
  type FakeResendWebhookSender,
  type SendOptions,
} from '../support/fakeResend/webhookSender.js';
import { startTestDesk, type TestDesk } from '../support/testDesk.js';

/**
 * Resend's webhooks through the real HTTP server and the real SDK's verification: signed by the
 * fake Resend server exactly as Resend signs, with its faults. One row per svix-id, whatever is
 * retried, duplicated or replayed; nothing recorded for what is not signed right.
 */

const RATE_LIMIT = 5;
const DAY = 24 * 3600 * 1000;

interface DeliveryRow {
  svix_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  processed_at: Date | null;
  attempts: number;
}

describe('Resend webhooks', () => {
  let desk: TestDesk;
  let resend: FakeResendServer;
  let webhooks: FakeResendWebhookSender;
  let addresses = 0;
  /** Each test comes from an address of its own, so the rate limit counts only its own requests. */
  const fromAddress = () => ({ 'x-forwarded-for': `198.51.100.${++addresses}` });
  const url = () => `${desk.base}/api/webhooks/resend`;

  const rows = async (svixId?: string) =>
    (
      await desk.db.pool.query<DeliveryRow>(
        `SELECT svix_id, event_type, payload, processed_at, attempts FROM resend_webhook_deliveries
         WHERE $1::text IS NULL OR svix_id = $1 ORDER BY received_at, svix_id`,
        [svixId ?? null],
      )
    ).rows;

  beforeAll(async () => {
    resend = await FakeResendServer.start();
    const secret = resend.webhooksTo('http://unused').secret;
    desk = await startTestDesk({
      RESEND_WEBHOOK_SECRET: secret,
      RESEND_WEBHOOK_RATE_LIMIT: String(RATE_LIMIT),
      TRUST_PROXY: 'loopback',
    });
    webhooks = resend.webhooksTo(url(), secret);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  afterAll(async () => {
    await desk?.stop();
    await resend?.stop();
  });

  it('when a signed delivery arrives, then it is answered 200 and recorded once, as it was sent', async () => {
    const event = resendEvents.received({
      from: 'pat@acme.test',
      to: ['reply@inbound.example.test'],
      subject: 'Re: [A-1001] The invoice',
    });
    const delivery = webhooks.delivery(event);
    const attempt = await webhooks.send(delivery, { headers: fromAddress() });
    expect(attempt.status).toBe(200);
    expect(attempt.answer).toEqual({ received: true, duplicate: false });
    const [row, ...more] = await rows(delivery.id);
    expect(more).toEqual([]);
    expect(row).toMatchObject({ event_type: 'email.received', processed_at: null, attempts: 0 });
    expect(row!.payload).toEqual(event);
    // what is kept is the body: no signature, header or secret
    expect(JSON.stringify(row)).not.toContain(webhooks.secret.slice('whsec_'.length));
    expect(JSON.stringify(row)).not.toMatch(/v1,/);
  });

  it('when one delivery comes three times and is replayed a day later with a fresh signature, then it is one row', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date() });
    const email = sentEmail('pat@acme.test');
    const delivery = webhooks.delivery(resendEvents.delivered(email));
    const headers = fromAddress();
    const attempts = await webhooks.retries(delivery, 3, { headers });
    expect(attempts.map((a) => [a.status, a.answer.duplicate])).toEqual([
      [200, false],
      [200, true],
      [200, true],
    ]);
    // a day later (the SDK's clock too): a replay, signed now, with a timestamp a day after the first
    vi.setSystemTime(Date.now() + DAY);
    const replay = await webhooks.replay(delivery, { headers });
    expect(replay.timestampSeconds! - attempts[0]!.timestampSeconds!).toBeGreaterThanOrEqual(DAY / 1000);
    expect([replay.status, replay.answer.duplicate]).toEqual([200, true]);
    expect(await rows(delivery.id)).toHaveLength(1);
  });

  it('when the same signed request arrives twice at once, then both are answered 200 and one row is kept', async () => {
    const delivery = webhooks.delivery(resendEvents.sent(sentEmail('guest@example.test')));
    const [first, second] = await Promise.all([
      webhooks.send(delivery, { headers: fromAddress(), at: new Date() }),
      webhooks.send(delivery, { headers: fromAddress(), at: new Date() }),
    ]);
    expect([first!.status, second!.status]).toEqual([200, 200]);
    expect([first!.answer.duplicate, second!.answer.duplicate].sort()).toEqual([false, true]);
    expect(await rows(delivery.id)).toHaveLength(1);
  });

  it('when the duplicates fault sends one request several times, then one row is kept', async () => {
    const delivery = webhooks.delivery(resendEvents.complained(sentEmail('pat@acme.test')));
    const attempts = await webhooks.duplicates(delivery, 3, { headers: fromAddress() });
    expect(attempts.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(attempts.filter((a) => a.answer.duplicate === false)).toHaveLength(1);
    expect(await rows(delivery.id)).toHaveLength(1);
  });

  it('when deliveries arrive out of order, then each is recorded once, whatever the order', async () => {
    const email = sentEmail('pat@acme.test');
    const deliveries = [
      webhooks.delivery(resendEvents.sent(email)),
      webhooks.delivery(resendEvents.deliveryDelayed(email)),
      webhooks.delivery(resendEvents.bounced(email)),
    ];
    const attempts = await webhooks.outOfOrder(deliveries, { headers: fromAddress() });
    expect(attempts.map((a) => [a.id, a.status])).toEqual(deliveries.map((d) => [d.id, 200]).reverse());
    for (const delivery of deliveries) {
      expect((await rows(delivery.id)).map((r) => r.event_type)).toEqual([delivery.event.type]);
    }
  });

  it.each<[string, () => SendOptions]>([
    ['unsigned', () => ({ fault: 'unsigned' })],
    ['signed with another secret', () => ({ fault: 'forged' })],
    ['changed after signing', () => ({ fault: 'tampered' })],
    ['signed 6 minutes ago', () => ({ fault: 'stale', staleByMs: 6 * 60 * 1000 })],
    ['signed 6 minutes ahead', () => ({ at: new Date(Date.now() + 6 * 60 * 1000) })],
  ])('when a delivery comes %s, then it is refused with 401 and nothing is recorded', async (_name, fault) => {
    const before = await desk.countEvents();
    const delivery = webhooks.delivery(resendEvents.received({ from: 'x@evil.test', to: ['r@in.test'], subject: 'x' }));
    const attempt = await webhooks.send(delivery, { ...fault(), headers: fromAddress() });
    expect(attempt.status).toBe(401);
    expect(attempt.answer).toMatchObject({ status: 401, code: 'invalid_signature' });
    expect(await rows(delivery.id)).toEqual([]);
    expect(await desk.countEvents()).toBe(before);
  });

  it('when a refusal is answered, then it is problem+json in plain words', async () => {
    const res = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...fromAddress() },
      body: JSON.stringify(resendEvents.sent(sentEmail('pat@acme.test'))),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as { detail: string };
    expect(body.detail).toMatch(/^This delivery is not signed/);
  });

  it('when a signed delivery is just within 5 minutes old, then it is recorded', async () => {
    const delivery = webhooks.delivery(resendEvents.delivered(sentEmail('pat@acme.test')));
    const attempt = await webhooks.send(delivery, { at: new Date(Date.now() - 4 * 60 * 1000), headers: fromAddress() });
    expect(attempt.status).toBe(200);
    expect(await rows(delivery.id)).toHaveLength(1);
  });

  it('when the body is larger than 256 KiB, then it is refused with 413 before anything is checked or recorded', async () => {
    const big = resendEvents.received({
      from: 'pat@acme.test',
      to: ['r@in.test'],
      subject: 'x'.repeat(300 * 1024),
    });
    const delivery = webhooks.delivery(big);
    const attempt = await webhooks.send(delivery, { headers: fromAddress() });
    expect(attempt.status).toBe(413);
    expect(attempt.answer).toMatchObject({ code: 'body_too_large' });
    expect(await rows(delivery.id)).toEqual([]);
  });

  it('when one address sends more than the rate, then it is refused with 429 and the rest is not recorded', async () => {
    desk.clock.toWindowStart(60);
    const headers = fromAddress();
    const deliveries = Array.from({ length: RATE_LIMIT + 1 }, () =>
      webhooks.delivery(resendEvents.delivered(sentEmail('pat@acme.test'))),
    );
    const statuses: number[] = [];
    for (const delivery of deliveries) statuses.push((await webhooks.send(delivery, { headers })).status);
    expect(statuses).toEqual([...Array<number>(RATE_LIMIT).fill(200), 429]);
    expect(await rows(deliveries.at(-1)!.id)).toEqual([]);
    // another address is not held back by it
    const other = webhooks.delivery(resendEvents.delivered(sentEmail('pat@acme.test')));
    expect((await webhooks.send(other, { headers: fromAddress() })).status).toBe(200);
  });

  it('when a signed browser session comes along, then it is not read: the delivery is still judged by its signature', async () => {
    const partner = await desk.signIn('partner@acme.test');
    const delivery = webhooks.delivery(resendEvents.sent(sentEmail('pat@acme.test')));
    const forged = await partner.request('POST', '/api/webhooks/resend', delivery.event, fromAddress());
    expect(forged.status).toBe(401);
    expect(await rows(delivery.id)).toEqual([]);
  });

  it('when deliveries wait for the worker, then the metric counts them', async () => {
    const pending = (await rows()).filter((r) => r.processed_at === null).length;
    expect(pending).toBeGreaterThan(0);
    const metrics = await (await fetch(`${desk.base}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^support_desk_webhook_deliveries_pending ${pending}$`, 'm'));
  });
});

describe('Resend webhooks without a signing secret', () => {
  let desk: TestDesk;
  let resend: FakeResendServer;

  beforeAll(async () => {
    resend = await FakeResendServer.start();
    desk = await startTestDesk();
  });

  afterAll(async () => {
    await desk?.stop();
    await resend?.stop();
  });

  it('when no secret is configured, then the route answers 404 and records nothing, signed or not', async () => {
    const webhooks = resend.webhooksTo(`${desk.base}/api/webhooks/resend`);
    const delivery = webhooks.delivery(resendEvents.delivered(sentEmail('pat@acme.test')));
    const signed = await webhooks.send(delivery);
    const unsigned = await webhooks.send(delivery, { fault: 'unsigned' });
    expect([signed.status, unsigned.status]).toEqual([404, 404]);
    expect(signed.answer).toMatchObject({ code: 'no_route' });
    const { rows } = await desk.db.pool.query('SELECT 1 FROM resend_webhook_deliveries');
    expect(rows).toEqual([]);
  });
});
