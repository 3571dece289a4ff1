import { PassThrough } from 'node:stream';
import { Resend } from 'resend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpProblem } from '../../../platform/http/problem.js';
import { RateLimiter } from '../../../platform/identity/rateLimiter.js';
import { anonymous } from '../../../platform/identity/identity.js';
import { createLogger } from '../../../platform/logger.js';
import { resendWebhookRoutes } from '../../../workers/email/inbound/resendWebhookRoutes.js';
import {
  newWebhookSecret,
  resendEvents,
  sentEmail,
  signResendWebhook,
} from '../../support/fakeResend/webhookSender.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/**
 * The fake Resend server signs as Resend does: the SDK's own `resend.webhooks.verify` accepts what
 * it signs, and refuses what its faults break. And what the route logs holds no secret or signature.
 */

const resend = new Resend('re_test_verification_only');
const secret = newWebhookSecret();
const nowSeconds = () => Math.floor(Date.now() / 1000);

function verify(body: string, id: string, timestamp: number, signature: string, webhookSecret = secret) {
  return resend.webhooks.verify({
    payload: body,
    headers: { id, timestamp: String(timestamp), signature },
    webhookSecret,
  });
}

describe('webhook signatures, as Resend makes them and the SDK checks them', () => {
  const email = sentEmail('pat@acme.test');
  const events = [
    resendEvents.received({ from: 'pat@acme.test', to: ['reply@in.example.test'], subject: 'Re: [A-1001] Hi' }),
    resendEvents.sent(email),
    resendEvents.delivered(email),
    resendEvents.deliveryDelayed(email),
    resendEvents.bounced(email),
    resendEvents.complained(email),
  ];

  it.each(events.map((e) => [e.type, e]))('when a %s event is signed, then the SDK verifies it', (_type, event) => {
    const body = JSON.stringify(event);
    const at = nowSeconds();
    expect(verify(body, 'msg_1', at, signResendWebhook(secret, 'msg_1', at, body))).toEqual(event);
  });

  it('when a signature header holds several signatures (a rotated secret), then the one that matches counts', () => {
    const body = JSON.stringify(events[0]);
    const at = nowSeconds();
    const header = `${signResendWebhook(newWebhookSecret(), 'msg_2', at, body)} ${signResendWebhook(secret, 'msg_2', at, body)}`;
    expect(verify(body, 'msg_2', at, header)).toEqual(events[0]);
  });

  it('when the secret, the id, the timestamp or the body differ from what was signed, then the SDK refuses', () => {
    const body = JSON.stringify(events[1]);
    const at = nowSeconds();
    const signature = signResendWebhook(secret, 'msg_3', at, body);
    expect(() => verify(body, 'msg_3', at, signature, newWebhookSecret())).toThrow(/No matching signature/);
    expect(() => verify(body, 'msg_4', at, signature)).toThrow(/No matching signature/);
    expect(() => verify(body, 'msg_3', at - 1, signature)).toThrow(/No matching signature/);
    expect(() => verify(`${body} `, 'msg_3', at, signature)).toThrow(/No matching signature/);
    expect(() => verify(body, 'msg_3', at, '')).toThrow(/Missing required headers/);
  });

  it('when a timestamp is more than 5 minutes from now, then the SDK refuses it; within 5 minutes, it accepts', () => {
    const body = JSON.stringify(events[2]);
    const sign = (at: number) => verify(body, 'msg_5', at, signResendWebhook(secret, 'msg_5', at, body));
    expect(() => sign(nowSeconds() - 6 * 60)).toThrow(/too old/);
    expect(() => sign(nowSeconds() + 6 * 60)).toThrow(/too new/);
    expect(sign(nowSeconds() - 4 * 60)).toEqual(events[2]);
    expect(sign(nowSeconds() + 4 * 60)).toEqual(events[2]);
  });
});

describe('what the webhook route logs', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('when deliveries are recorded and refused, then no log line holds the secret or a signature', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
    const [route] = resendWebhookRoutes({
      pool: db.pool,
      config: { RESEND_WEBHOOK_SECRET: secret, RESEND_WEBHOOK_RATE_LIMIT: 100 },
      rateLimiter: new RateLimiter(db.pool),
      clock: () => new Date(),
      logger: createLogger('debug', 'webhook-test', { terminal: false, stream }),
    });
    const event = resendEvents.delivered(sentEmail('pat@acme.test'));
    const body = JSON.stringify(event);
    const at = nowSeconds();
    const signature = signResendWebhook(secret, 'msg_logged', at, body);
    const call = (headers: Record<string, string>) =>
      route!.handle({
        params: undefined,
        query: undefined,
        body: undefined,
        rawBody: Buffer.from(body),
        identity: anonymous,
        header: (name) => headers[name],
        ip: '192.0.2.7',
        requestId: 'r1',
      });
    const signed = { 'svix-id': 'msg_logged', 'svix-timestamp': String(at), 'svix-signature': signature };
    expect(await call(signed)).toEqual({ body: { received: true, duplicate: false } });
    const forgedSignature = signResendWebhook(newWebhookSecret(), 'msg_forged', at, body);
    await expect(call({ ...signed, 'svix-id': 'msg_forged', 'svix-signature': forgedSignature })).rejects.toSatisfy(
      (problem: HttpProblem) => problem.status === 401,
    );
    const logged = lines.join('');
    expect(logged).toContain('msg_logged');
    expect(logged).toContain('resend webhook refused');
    for (const secretPart of [secret, secret.slice('whsec_'.length), signature, forgedSignature]) {
      expect(logged).not.toContain(secretPart);
      expect(logged).not.toContain(secretPart.replace(/^v1,/, ''));
    }
  });
});
