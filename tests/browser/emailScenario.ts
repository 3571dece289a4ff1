import { EmailWorker } from '../../workers/email/emailWorker.js';
import { emailConfigSchema } from '../../workers/email/emailConfig.js';
import { FakeResendServer, type ReceivedEmail } from '../support/fakeResend/fakeResendServer.js';
import { TEST_GUEST_LINK_SECRET } from '../support/testDesk.js';
import { CONFIG, startScenario, type Scenario } from './scenario.js';

/**
 * A browser scenario whose emails are the real ones: the email worker sends them through the
 * `resend` SDK to a Resend-compatible server, and the portal base URL is where the browser finds
 * the desk, so a test clicks the links as they arrived.
 */
export async function startEmailScenario() {
  const scenario: Scenario = await startScenario();
  const fake = await FakeResendServer.start();
  await scenario.arrangeConfig({ ...CONFIG, portalBaseUrl: scenario.bd.web });
  const worker = new EmailWorker({
    pool: scenario.bd.desk.db.pool,
    eventStore: scenario.bd.desk.eventStore,
    config: emailConfigSchema.parse({ RESEND_API_KEY: fake.apiKey, RESEND_BASE_URL: fake.url, EMAIL_POLL_MS: 20 }),
    guestLinkSecrets: [TEST_GUEST_LINK_SECRET],
  });
  await worker.start();
  return {
    scenario,
    fake,
    worker,
    /** Waits until an email to `recipient` matching `match` has arrived. */
    async emailTo(recipient: string, match: (email: ReceivedEmail) => boolean): Promise<ReceivedEmail> {
      for (let i = 0; ; i++) {
        const found = fake.delivered.find((e) => e.to.includes(recipient) && match(e));
        if (found) return found;
        if (i > 300) throw new Error(`no email to ${recipient} arrived`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      await worker.stop();
      await fake.stop();
      await scenario.bd.stop();
    },
  };
}

export type EmailScenario = Awaited<ReturnType<typeof startEmailScenario>>;
