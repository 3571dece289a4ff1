import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emailConfigSchema } from '../../workers/email/emailConfig.js';
import { EmailWorker } from '../../workers/email/emailWorker.js';
import type { InboundWorker } from '../../workers/email/inbound/inboundWorker.js';
import { inboundWorkerFromConfig } from '../../workers/email/inbound/inboundWorkerFromConfig.js';
import type { DeliveryReportWorker } from '../../workers/email/delivery/deliveryReportWorker.js';
import { deliveryReportWorkerFromConfig } from '../../workers/email/delivery/deliveryReportWorkerFromConfig.js';
import { FakeResendServer, type ReceivedEmail } from '../support/fakeResend/fakeResendServer.js';
import type { FakeResendWebhookSender } from '../support/fakeResend/webhookSender.js';
import { TEST_GUEST_LINK_SECRET } from '../support/testDesk.js';
import { LIVE, REPLY, markPage, ok, startScenario, wasNotReloaded, type Scenario } from './scenario.js';

/**
 * Email both ways, in a browser, as a new user meets it on `npm start` (no RESEND_API_KEY): the
 * answer to the partner lands in the development mailbox with its signed reply address, ops
 * reply to it "as the recipient", and the agent, whose drawer is open, sees the partner's reply
 * arrive live, marked as a reply by email, the quoted history one click away.
 */

describe('email both ways, in a browser: the development mailbox', { timeout: 90_000 }, () => {
  let scenario: Scenario;
  let outbound: EmailWorker;
  let inbound: InboundWorker;

  beforeAll(async () => {
    scenario = await startScenario();
    const { pool } = scenario.bd.desk.db;
    const { eventStore } = scenario.bd.desk;
    const config = emailConfigSchema.parse({ EMAIL_FROM: 'Support desk <desk@example.com>', EMAIL_POLL_MS: 20 });
    outbound = new EmailWorker({ pool, eventStore, config, guestLinkSecrets: [TEST_GUEST_LINK_SECRET] });
    inbound = inboundWorkerFromConfig({ pool, eventStore, config, guestLinkSecrets: [TEST_GUEST_LINK_SECRET] });
    await outbound.start();
    await inbound.start();
  });

  afterAll(async () => {
    await inbound?.stop();
    await outbound?.stop();
    await scenario?.bd.stop();
  });

  afterEach(() => {
    expect(scenario.bd.pageErrors.splice(0)).toEqual([]);
  });

  it("shows a partner's reply by email live in the agent's open drawer, with the quoted text on request", async () => {
    const { bd, arrangeThread, person } = scenario;
    const subject = 'Pallet 9 arrived damaged';
    const threadId = await arrangeThread(subject, { reply: true });

    const agent = await person('agent@demo.test');
    await agent.goto(`/admin/support?thread=${threadId}`);
    const drawer = agent.getByRole('dialog', { name: subject });
    await drawer.getByText(REPLY).waitFor();
    await markPage(agent);

    // the answer reached the partner's (development) mailbox; ops answer it as the partner would
    const ops = await person('ops@demo.test');
    await ops.goto('/ops');
    const mailbox = ops.getByTestId('mailbox');
    const email = mailbox
      .locator('li', { hasText: subject })
      .filter({ hasText: 'partner@acme.test' })
      .filter({ hasText: REPLY })
      .first();
    await email.waitFor(LIVE);
    await email.locator('summary').click();
    await email.getByTestId('mailbox-reply-text').fill('The driver took photos; the pallet is back with you.');
    await email.getByRole('button', { name: 'Reply as the recipient' }).click();
    await ops.getByText(/Reply from partner@acme\.test received/).waitFor();

    // the agent sees it arrive without reloading: the reply alone, marked as by email
    const reply = drawer.getByTestId('message').filter({ hasText: 'The driver took photos' });
    await reply.waitFor(LIVE);
    await reply.getByTestId('via-email').waitFor();
    expect(await reply.locator('.message-body').textContent()).toBe(
      'The driver took photos; the pallet is back with you.',
    );
    await reply.getByText('Show quoted text').click();
    await reply.locator('.message-quoted-text').getByText(REPLY, { exact: false }).waitFor();
    expect(await wasNotReloaded(agent)).toBe(true);
    await bd.screenshot(agent, 'reply-by-email');
  });
});

/**
 * The same through Resend (here the Resend-compatible fake, through the real SDK and the real
 * webhook route, signed as Resend signs): what Resend reports back shows on the message's chips
 * without a reload, a bounce warns on the thread, and a stranger's mail waits in the held-mail
 * list for staff.
 */
describe('email both ways, in a browser: through Resend', { timeout: 90_000 }, () => {
  let scenario: Scenario;
  let resend: FakeResendServer;
  let webhooks: FakeResendWebhookSender;
  let outbound: EmailWorker;
  let inbound: InboundWorker;
  let reports: DeliveryReportWorker;

  beforeAll(async () => {
    resend = await FakeResendServer.start();
    const secret = resend.webhooksTo('http://unused').secret;
    scenario = await startScenario({ RESEND_WEBHOOK_SECRET: secret });
    webhooks = resend.webhooksTo(`${scenario.bd.desk.base}/api/webhooks/resend`, secret);
    const { pool } = scenario.bd.desk.db;
    const { eventStore } = scenario.bd.desk;
    const config = emailConfigSchema.parse({
      RESEND_API_KEY: resend.apiKey,
      RESEND_BASE_URL: resend.url,
      EMAIL_FROM: 'Support desk <desk@example.com>',
      EMAIL_POLL_MS: 20,
      INBOUND_EMAIL_DOMAIN: 'reply.desk.test',
    });
    const guestLinkSecrets = [TEST_GUEST_LINK_SECRET];
    outbound = new EmailWorker({ pool, eventStore, config, guestLinkSecrets });
    inbound = inboundWorkerFromConfig({ pool, eventStore, config, guestLinkSecrets });
    reports = deliveryReportWorkerFromConfig({ pool, eventStore, config });
    await Promise.all([outbound.start(), inbound.start(), reports.start()]);
  });

  afterAll(async () => {
    await Promise.all([reports?.stop(), inbound?.stop(), outbound?.stop()]);
    await scenario?.bd.stop();
    await resend?.stop();
  });

  afterEach(() => {
    expect(scenario.bd.pageErrors.splice(0)).toEqual([]);
  });

  /** Waits until an email to `recipient` with `text` has reached the fake Resend server. */
  async function emailTo(recipient: string, text: string): Promise<ReceivedEmail> {
    for (let i = 0; ; i++) {
      const found = resend.delivered.find((e) => e.to.includes(recipient) && e.text?.includes(text));
      if (found) return found;
      if (i > 300) throw new Error(`no email to ${recipient} with "${text}" arrived`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("shows what Resend reports on the message's chips without a reload, and warns on the thread after a bounce", async () => {
    const { arrangeThread, person } = scenario;
    const subject = 'Seal on container 12 broken';
    const threadId = await arrangeThread(subject, { reply: true });
    const toPartner = await emailTo('partner@acme.test', REPLY);

    const agent = await person('agent@demo.test');
    await agent.goto(`/admin/support?thread=${threadId}`);
    const drawer = agent.getByRole('dialog', { name: subject });
    const reply = drawer.getByTestId('message').filter({ hasText: REPLY });
    const chip = reply.getByTestId('delivery').filter({ hasText: 'partner@acme.test' });
    // taken by Resend, nothing reported yet
    await chip.filter({ hasText: 'partner@acme.test: sent' }).waitFor(LIVE);
    await markPage(agent);
    // an admin's chips come from the ops queue: theirs follow the reports too
    const admin = await person('admin@demo.test');
    await admin.goto(`/admin/support?thread=${threadId}`);
    const adminChip = admin
      .getByRole('dialog', { name: subject })
      .getByTestId('message')
      .filter({ hasText: REPLY })
      .getByTestId('delivery')
      .filter({ hasText: 'partner@acme.test' });
    await adminChip.filter({ hasText: 'partner@acme.test: sent' }).waitFor(LIVE);

    // Resend reports the delivery (and a late "sent" after it, which must not move it back)
    for (const type of ['email.delivered', 'email.sent'] as const) {
      const attempt = await webhooks.send(webhooks.delivery(resend.deliveryEvent(toPartner.id, type)));
      expect(attempt.status).toBe(200);
    }
    await chip.filter({ hasText: 'partner@acme.test: delivered' }).waitFor(LIVE);
    await adminChip.filter({ hasText: 'partner@acme.test: delivered' }).waitFor(LIVE);

    // a later answer bounces for good: its chip says so and the thread warns that no mail goes there
    await ok(
      scenario.api.agent.request('POST', `/api/support/threads/${threadId}/messages`, {
        body: 'One more thing: the seal number is 44-1.',
        visibility: 'external',
      }),
    );
    const second = await emailTo('partner@acme.test', 'the seal number is 44-1');
    await webhooks.send(webhooks.delivery(resend.deliveryEvent(second.id, 'email.bounced')));
    const bounced = drawer
      .getByTestId('message')
      .filter({ hasText: 'the seal number is 44-1' })
      .getByTestId('delivery')
      .filter({ hasText: 'partner@acme.test: bounced' });
    await bounced.waitFor(LIVE);
    await drawer
      .getByTestId('suppressed-recipients')
      .getByText(/partner@acme\.test \(bounced\)/)
      .waitFor(LIVE);
    expect(await chip.textContent()).toContain('delivered');
    expect(await wasNotReloaded(agent)).toBe(true);
    await scenario.bd.screenshot(agent, 'delivery-chips');
  });

  it("lists a stranger's mail to a thread in the held-mail list, with why, its text and a discard", async () => {
    const { arrangeThread, person } = scenario;
    const subject = 'Customs hold at Rotterdam';
    const threadId = await arrangeThread(subject, { reply: true });
    const toPartner = await emailTo('partner@acme.test', REPLY);
    // someone outside the partner's organisation answers the partner's email (forwarded to them)
    const id = resend.receive({
      from: 'Sam Stranger <sam@elsewhere.test>',
      to: [toPartner.headers['Reply-To']!],
      subject: /^re:/i.test(toPartner.subject) ? toPartner.subject : `Re: ${toPartner.subject}`,
      text: 'Please send me the customs papers as well.',
      headers: { 'In-Reply-To': toPartner.headers['Message-ID']!, References: toPartner.headers['Message-ID']! },
      messageId: '<stranger-1@elsewhere.test>',
    });
    expect((await webhooks.send(webhooks.delivery(resend.receivedEvent(id)))).status).toBe(200);

    const agent = await person('agent@demo.test');
    await agent.goto('/admin/held-mail');
    await agent.getByRole('heading', { name: 'Held mail' }).waitFor();
    const row = agent.getByTestId('held-rows').locator('li', { hasText: 'sam@elsewhere.test' });
    await row.waitFor(LIVE);
    await row.getByTestId('held-reason').waitFor();
    expect(await agent.getByTestId('held-mail-count').textContent()).toMatch(/^[1-9]\d*$/);
    await row.getByRole('button').click();
    const detail = agent.getByTestId('held-detail');
    await detail.getByTestId('held-text').getByText('Please send me the customs papers as well.').waitFor();
    await scenario.bd.screenshot(agent, 'held-mail');

    await detail.getByLabel('Reason').fill('Not a participant; asked the partner to write themselves');
    await detail.getByRole('button', { name: 'Discard' }).click();
    await row.waitFor({ state: 'detached', ...LIVE });
    // nothing of it reached the thread
    const view = await ok(
      scenario.api.agent.request<{ messages: { body: string }[] }>('GET', `/api/support/threads/${threadId}`),
    );
    expect(view.messages.map((m) => m.body)).not.toContain('Please send me the customs papers as well.');
  });
});
