import { Resend } from 'resend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeResendServer } from '../../support/fakeResend/fakeResendServer.js';

/** The test double speaks Resend as the real `resend` SDK hears it. */
describe('the Resend-compatible test server', () => {
  let fake: FakeResendServer;
  let resend: Resend;
  const email = {
    from: 'Desk <desk@example.com>',
    to: 'pat@example.com',
    subject: 'Hello',
    html: '<p>Hello</p>',
    text: 'Hello',
  };

  beforeAll(async () => {
    fake = await FakeResendServer.start();
    resend = new Resend(fake.apiKey, { baseUrl: fake.url });
  });
  afterAll(async () => fake.stop());
  beforeEach(() => fake.resetFaults());

  it('when the same key and payload are sent again, then it answers the first result and sends once', async () => {
    const first = await resend.emails.send(email, { idempotencyKey: 'k-replay' });
    const second = await resend.emails.send(email, { idempotencyKey: 'k-replay' });
    expect(first.error).toBeNull();
    expect(second.data?.id).toBe(first.data?.id);
    expect(fake.deliveriesFor('k-replay')).toBe(1);
    expect(fake.requestsFor('k-replay')).toBe(2);
  });

  it('when the same key comes with another payload, then 409 invalid_idempotent_request', async () => {
    await resend.emails.send(email, { idempotencyKey: 'k-other' });
    const res = await resend.emails.send({ ...email, subject: 'Changed' }, { idempotencyKey: 'k-other' });
    expect(res.error).toMatchObject({ name: 'invalid_idempotent_request', statusCode: 409 });
    expect(fake.deliveriesFor('k-other')).toBe(1);
  });

  it('when the same key arrives while the first is in progress, then 409 concurrent_idempotent_requests', async () => {
    const held = fake.holdNextSend();
    const first = resend.emails.send(email, { idempotencyKey: 'k-concurrent' });
    await held.arrived;
    const b = await resend.emails.send(email, { idempotencyKey: 'k-concurrent' });
    held.release();
    const a = await first;
    expect(a.error).toBeNull();
    expect(b.error).toMatchObject({ name: 'concurrent_idempotent_requests', statusCode: 409 });
    expect(fake.deliveriesFor('k-concurrent')).toBe(1);
  });

  it('when `to` is not an address, then 422 validation_error and the key is not kept', async () => {
    const res = await resend.emails.send({ ...email, to: 'not-an-address' }, { idempotencyKey: 'k-invalid' });
    expect(res.error).toMatchObject({ name: 'validation_error', statusCode: 422 });
    expect(fake.deliveriesFor('k-invalid')).toBe(0);
    fake.setFaults({ rejectRecipients: ['pat@example.com'] });
    const refused = await resend.emails.send(email, { idempotencyKey: 'k-refused' });
    expect(refused.error).toMatchObject({ name: 'validation_error' });
  });

  it('when rate limited, then 429 rate_limit_exceeded with retry-after', async () => {
    fake.setFaults({ rateLimitRate: 1, retryAfterSeconds: 2 });
    const res = await resend.emails.send(email, { idempotencyKey: 'k-429' });
    expect(res.error).toMatchObject({ name: 'rate_limit_exceeded', statusCode: 429 });
    expect(res.headers?.['retry-after']).toBe('2');
    expect(fake.deliveriesFor('k-429')).toBe(0);
  });

  it('when the quota is used up, then 429 with a quota error', async () => {
    fake.setFaults({ quotaExceeded: 'daily_quota_exceeded' });
    const res = await resend.emails.send(email, { idempotencyKey: 'k-quota' });
    expect(res.error).toMatchObject({ name: 'daily_quota_exceeded', statusCode: 429 });
  });

  it('when a 500 is injected, then internal_server_error and nothing is sent', async () => {
    fake.setFaults({ serverErrorRate: 1 });
    const res = await resend.emails.send(email, { idempotencyKey: 'k-500' });
    expect(res.error).toMatchObject({ name: 'internal_server_error', statusCode: 500 });
    expect(fake.deliveriesFor('k-500')).toBe(0);
  });

  it('when the connection drops after the send, then the SDK sees a network error and a retry gets the first result', async () => {
    fake.setFaults({ dropAfterSendRate: 1 });
    const lost = await resend.emails.send(email, { idempotencyKey: 'k-drop' });
    expect(lost.error).toMatchObject({ statusCode: null });
    expect(fake.deliveriesFor('k-drop')).toBe(1);
    fake.resetFaults();
    const retried = await resend.emails.send(email, { idempotencyKey: 'k-drop' });
    expect(retried.data?.id).toBe(fake.emailsFor('k-drop')[0]!.id);
    expect(fake.deliveriesFor('k-drop')).toBe(1);
  });

  it('when the answer is slower than the client waits, then the client times out but the email was sent once', async () => {
    fake.setFaults({ slowRate: 1, slowMs: 300 });
    const res = await resend.emails.send(email, { idempotencyKey: 'k-slow', signal: AbortSignal.timeout(50) });
    expect(res.error).toMatchObject({ statusCode: null });
    expect(fake.deliveriesFor('k-slow')).toBe(1);
  });

  it('when the API key is wrong, then 403 invalid_api_key', async () => {
    const wrong = new Resend('re_wrong', { baseUrl: fake.url });
    const res = await wrong.emails.send(email);
    expect(res.error).toMatchObject({ name: 'invalid_api_key', statusCode: 403 });
  });
});
