import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedEmail } from '../support/fakeResend/fakeResendServer.js';
import { startEmailScenario, type EmailScenario } from './emailScenario.js';
import { LIVE, REPLY, ok, type Scenario } from './scenario.js';

/**
 * The links in emails, followed in a real browser: a partner's email opens their thread (through
 * sign-in, which returns there), a guest's email opens the conversation with no sign-in at all,
 * and sign-in's `next=` never leaves the desk. The emails are the real ones: the email worker
 * sends them through the `resend` SDK to a Resend-compatible server, and the test clicks what
 * arrived.
 */

let scenario: Scenario;
let emails: EmailScenario;

/** Waits until an email to `recipient` matching `match` has arrived. */
const emailTo = (recipient: string, match: (email: ReceivedEmail) => boolean) => emails.emailTo(recipient, match);

/** The first link of an email's plain text that goes to the desk. */
function linkOf(email: ReceivedEmail): URL {
  const match = /(https?:\/\/\S+)\n/.exec(email.text ?? '');
  if (!match) throw new Error(`no link in ${email.subject}`);
  return new URL(match[1]!);
}

describe('links in emails, in a browser', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    emails = await startEmailScenario();
    ({ scenario } = emails);
  });

  afterAll(async () => {
    await emails?.stop();
  });

  afterEach(() => {
    expect(scenario.bd.pageErrors.splice(0)).toEqual([]);
  });

  it('when a signed-out partner follows the link in a reply email, then sign-in brings them back to that thread', async () => {
    const threadId = await scenario.arrangeThread('Email link to the thread', { reply: true });
    const email = await emailTo('partner@acme.test', (e) =>
      e.subject.startsWith('Re: [A-1001] Email link to the thread'),
    );
    const link = linkOf(email);
    expect(link.origin).toBe(scenario.bd.web);
    expect(link.pathname).toBe(`/portal/threads/${threadId}`);

    const partner = await scenario.person();
    await partner.goto(link.href);
    await partner.waitForURL(/\/sign-in\?next=/);
    expect(new URL(partner.url()).searchParams.get('next')).toBe(`/portal/threads/${threadId}`);
    await partner.getByLabel('Email').fill('partner@acme.test');
    await partner.getByLabel('Password').fill('demo-password-1');
    await partner.getByRole('button', { name: 'Sign in' }).click();
    await partner.waitForURL((url) => url.pathname === `/portal/threads/${threadId}`);
    await partner.getByText(REPLY).waitFor(LIVE);
  });

  it('when a guest follows the link in their email, then the conversation opens without signing in', async () => {
    const threadId = await scenario.arrangeThread('Email link for a guest');
    await ok(
      scenario.api.agent.request('POST', `/api/support/threads/${threadId}/guest-links`, {
        recipientEmail: 'guest.browser@example.com',
      }),
    );
    const invitation = await emailTo('guest.browser@example.com', (e) => e.subject.startsWith('Your link'));
    const link = linkOf(invitation);
    expect(link.origin).toBe(scenario.bd.web);
    expect(link.pathname).toMatch(/^\/t\/[A-Za-z0-9_-]{43}$/);

    const guest = await scenario.person();
    await guest.goto(link.href);
    await guest.getByText('Our bank shows two transfers for invoice 4471').waitFor(LIVE);
    expect(new URL(guest.url()).pathname).toBe(link.pathname);

    // a later reply carries the same working link
    await ok(
      scenario.api.agent.request('POST', `/api/support/threads/${threadId}/messages`, {
        body: 'A reply for the guest, by email.',
        visibility: 'external',
      }),
    );
    const reply = await emailTo('guest.browser@example.com', (e) => e.subject.startsWith('Re: '));
    expect(linkOf(reply).href).toBe(link.href);
    await guest.goto(linkOf(reply).href);
    await guest.getByText('A reply for the guest, by email.').waitFor(LIVE);
  });

  it('when next= points away from the desk, then sign-in goes home instead', async () => {
    for (const next of ['//evil.example/portal', '/\\evil.example/portal', 'https://evil.example/', '/sign-in']) {
      const partner = await scenario.person();
      await partner.goto(`/sign-in?next=${encodeURIComponent(next)}`);
      await partner.getByLabel('Email').fill('partner@acme.test');
      await partner.getByLabel('Password').fill('demo-password-1');
      await partner.getByRole('button', { name: 'Sign in' }).click();
      await partner.waitForURL((url) => url.pathname === '/portal');
      expect(new URL(partner.url()).origin).toBe(scenario.bd.web);
      await partner.context().close();
    }
  });
});
