import { expect } from 'vitest';
import { emailConfigSchema, type EmailConfig } from '../../workers/email/emailConfig.js';
import { EmailWorker } from '../../workers/email/emailWorker.js';
import type { InboundWorker } from '../../workers/email/inbound/inboundWorker.js';
import { inboundWorkerFromConfig } from '../../workers/email/inbound/inboundWorkerFromConfig.js';
import { FakeResendServer, type InboundEmail } from './fakeResend/fakeResendServer.js';
import type { FakeResendWebhookSender } from './fakeResend/webhookSender.js';
import { startTestDesk, TEST_GUEST_LINK_SECRET, type TestDesk } from './testDesk.js';

/**
 * A desk with email both ways, for end-to-end tests: the fake Resend server, the desk with its
 * webhook secret (behind a trusted proxy, so each webhook can come from an address of its own and
 * no rate limit is shared between tests), a webhook sender that signs as Resend does, and the
 * email workers configured for them, through the real `resend` SDK.
 */

export const TEST_INBOUND_DOMAIN = 'reply.desk.test';

export interface EmailDesk {
  desk: TestDesk;
  resend: FakeResendServer;
  webhooks: FakeResendWebhookSender;
  /** The email config of the workers (Resend's key and URL, our From, the inbound domain), with overrides. */
  config(overrides?: Record<string, unknown>): EmailConfig;
  /** The email worker: process manager and sender (run it with `runOnce` or `sentUntil`). */
  outbound: EmailWorker;
  /** An inbound worker over this desk (retries without waiting). */
  inboundWorker(overrides?: Record<string, unknown>): InboundWorker;
  /** Headers that make a webhook come from an address of its own. */
  fromAddress(): Record<string, string>;
  /** The mail arrives at Resend; its `email.received` webhook is delivered to the desk (`copies` times). */
  arrives(email: InboundEmail, copies?: number): ReturnType<typeof arrive>;
  /** Runs the email worker until `found` finds what was sent (the process manager reads only what is committed). */
  sentUntil<T>(found: () => T | undefined): Promise<T>;
  stop(): Promise<void>;
}

export async function startEmailDesk(): Promise<EmailDesk> {
  const resend = await FakeResendServer.start();
  const secret = resend.webhooksTo('http://unused').secret;
  const desk = await startTestDesk({ RESEND_WEBHOOK_SECRET: secret, TRUST_PROXY: 'loopback' });
  const webhooks = resend.webhooksTo(`${desk.base}/api/webhooks/resend`, secret);
  let addresses = 0;
  const fromAddress = () => ({ 'x-forwarded-for': `198.51.100.${(addresses++ % 250) + 1}` });
  const config = (overrides: Record<string, unknown> = {}) =>
    emailConfigSchema.parse({
      RESEND_API_KEY: resend.apiKey,
      RESEND_BASE_URL: resend.url,
      EMAIL_FROM: 'Support desk <desk@example.com>',
      EMAIL_POLL_MS: 20,
      INBOUND_EMAIL_DOMAIN: TEST_INBOUND_DOMAIN,
      ...overrides,
    });
  const outbound = new EmailWorker({
    pool: desk.db.pool,
    eventStore: desk.eventStore,
    config: config(),
    guestLinkSecrets: [TEST_GUEST_LINK_SECRET],
    sender: { backoff: { baseMs: 5, capMs: 40 }, sendTimeoutMs: 400, leaseMs: 2_000 },
  });

  return {
    desk,
    resend,
    webhooks,
    config,
    outbound,
    inboundWorker: (overrides = {}) =>
      inboundWorkerFromConfig({
        pool: desk.db.pool,
        eventStore: desk.eventStore,
        config: config(overrides),
        guestLinkSecrets: [TEST_GUEST_LINK_SECRET],
        attachments: desk.desk.attachments,
        tuning: { backoff: { baseMs: 0, capMs: 0 } },
      }),
    fromAddress,
    arrives: (email, copies = 1) => arrive(resend, webhooks, fromAddress, email, copies),
    async sentUntil<T>(found: () => T | undefined): Promise<T> {
      for (let round = 0; round < 200 && !found(); round++) {
        await outbound.runOnce();
        if (!found()) await new Promise((r) => setTimeout(r, 20));
      }
      const result = found();
      if (!result) throw new Error('the email was never sent');
      return result;
    },
    async stop() {
      await desk.stop();
      await resend.stop();
    },
  };
}

async function arrive(
  resend: FakeResendServer,
  webhooks: FakeResendWebhookSender,
  fromAddress: () => Record<string, string>,
  email: InboundEmail,
  copies: number,
) {
  const id = resend.receive(email);
  const delivery = webhooks.delivery(resend.receivedEvent(id));
  const attempts = await webhooks.duplicates(delivery, copies, { headers: fromAddress() });
  expect(attempts.map((a) => a.status)).toEqual(Array(copies).fill(200));
  return { id, delivery };
}
