import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emailConfigSchema } from '../../workers/email/emailConfig.js';
import { EmailWorker } from '../../workers/email/emailWorker.js';
import type { InboundWorker } from '../../workers/email/inbound/inboundWorker.js';
import { inboundWorkerFromConfig } from '../../workers/email/inbound/inboundWorkerFromConfig.js';
import { TEST_GUEST_LINK_SECRET } from '../support/testDesk.js';
import { LIVE, REPLY, markPage, startScenario, wasNotReloaded, type Scenario } from './scenario.js';

/**
 * Email both ways, in a browser, as a new user meets it on `npm start` (no RESEND_API_KEY): the
 * answer to the partner lands in the development mailbox with its signed reply address, ops
 * reply to it "as the recipient", and the agent, whose drawer is open, sees the partner's reply
 * arrive live, marked as a reply by email, the quoted history one click away.
 */

let scenario: Scenario;
let outbound: EmailWorker;
let inbound: InboundWorker;

describe('email both ways, in a browser', { timeout: 90_000 }, () => {
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
