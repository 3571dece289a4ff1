import type { Page } from 'playwright-core';
import { onTestFinished } from 'vitest';
import type { ApiClient } from '../support/testDesk.js';
import { startBrowserDesk, type BrowserDesk } from './browserDesk.js';

/**
 * What every browser test file arranges with: the desk in a browser, API sessions for the demo
 * partner, agent and admin (for arranging, not what the tests are about), a person at a browser
 * profile of their own, and a thread or config arranged through the API. Each file starts its own
 * desk (own database, own sign-in limits), so files never share leftovers.
 */

export const LIVE = { timeout: 20_000 }; // pushes take well under a second, polls 3 s; room for a loaded machine
export const NOTE = 'INTERNAL: finance confirmed the duplicate, refund approved by Dana';
export const REPLY = 'Thanks for flagging this. We refunded the duplicate payment today.';
export const GUEST_REPLY = 'Guest here: the refund arrived, thank you!';
export const CONFIG = {
  whatsappNumber: '4915123456789',
  supportEmail: 'help@acme-support.test',
  portalBaseUrl: 'https://desk.example.com',
  whatsappBubbleEnabled: true,
};

export interface Scenario {
  bd: BrowserDesk;
  api: { partner: ApiClient; agent: ApiClient; admin: ApiClient };
  /** A person at a browser of their own (closed when the test ends), signed in unless `email` is undefined. */
  person(email?: string, options?: { phone?: boolean }): Promise<Page>;
  /**
   * A thread of the test's own on assignment A-1001, raised by the acme partner, optionally with
   * the internal note and the staff reply; resolves once the read models show it all.
   */
  arrangeThread(subject: string, then?: { note?: boolean; reply?: boolean }): Promise<string>;
  /** Saves a system config through the API; resolves once partners see it. */
  arrangeConfig(config: typeof CONFIG): Promise<void>;
}

/** Marks the page; the mark survives in-page updates and disappears on a reload. */
export async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __noReload: boolean }).__noReload = true;
  });
}
export async function wasNotReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload === true);
}

export async function ok<T = Record<string, unknown>>(answer: Promise<{ status: number; body: T }>): Promise<T> {
  const { status, body } = await answer;
  if (status < 200 || status >= 300) throw new Error(`arranging answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

export async function startScenario(env: Record<string, string> = {}): Promise<Scenario> {
  const bd = await startBrowserDesk(env);
  const [partner, agent, admin] = await Promise.all(
    ['partner@acme.test', 'agent@demo.test', 'admin@demo.test'].map((email) => bd.desk.signIn(email)),
  );
  const api = { partner: partner!, agent: agent!, admin: admin! };

  return {
    bd,
    api,
    async person(email, options = {}) {
      const context = await bd.newContext(options);
      onTestFinished(() => context.close());
      const page = await context.newPage();
      if (email) await bd.signIn(page, email);
      return page;
    },
    async arrangeThread(subject, then = {}) {
      const raised = await ok(
        api.partner.request<{ threadId: string; position: string }>('POST', '/api/support/threads', {
          assignmentId: 'asg-1001',
          queryType: 'PAYMENT',
          priority: 'HIGH',
          subject,
          body: 'Our bank shows two transfers for invoice 4471 on 3 March. Please refund one.',
        }),
      );
      let position = raised.position;
      const post = async (body: string, visibility: 'internal' | 'external') => {
        const answer = await ok(
          api.agent.request<{ position: string }>('POST', `/api/support/threads/${raised.threadId}/messages`, {
            body,
            visibility,
          }),
        );
        position = answer.position;
      };
      if (then.note) await post(NOTE, 'internal');
      if (then.reply) await post(REPLY, 'external');
      await ok(api.agent.request('GET', `/api/support/threads/${raised.threadId}?waitFor=${position}`));
      return raised.threadId;
    },
    async arrangeConfig(config) {
      await ok(api.admin.request('PUT', '/api/support/config', config));
      for (let i = 0; ; i++) {
        const { body } = await bd.desk.anonymous.request<{ whatsappNumber: string | null }>(
          'GET',
          '/api/support/public/config',
        );
        if (body.whatsappNumber === config.whatsappNumber) return;
        if (i > 200) throw new Error('the public config did not show the saved number');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}
