import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/testDesk.js';
import type { BrowserDesk } from './browserDesk.js';
import {
  CONFIG,
  GUEST_REPLY,
  LIVE,
  NOTE,
  REPLY,
  markPage,
  ok,
  startScenario,
  wasNotReloaded,
  type Scenario,
} from './scenario.js';

/**
 * The web app in a real browser (Debian's chromium) against the real desk: a partner, an admin,
 * a guest, an auditor and ops, each in a browser profile of their own. Each test arranges what it
 * needs through the API (a thread of its own, the config) and drives only what it is about through
 * the browser, so none depends on another having run before it; the screenshots of docs/web.md
 * are saved on the way.
 */

let scenario: Scenario;
let bd: BrowserDesk;
/** API sessions, for arranging (not what the tests are about). */
let api: { partner: ApiClient; agent: ApiClient; admin: ApiClient };
const person = (email?: string, options: { phone?: boolean } = {}): Promise<Page> => scenario.person(email, options);
const arrangeThread = (subject: string, then: { note?: boolean; reply?: boolean } = {}): Promise<string> =>
  scenario.arrangeThread(subject, then);
const arrangeConfig = (): Promise<void> => scenario.arrangeConfig(CONFIG);

describe('the web app in a browser', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    scenario = await startScenario();
    ({ bd, api } = scenario);
  });

  afterAll(async () => {
    await bd?.stop();
  });

  // every test's own pages: no page error, no CSP violation (taken, so that the next test starts clean)
  afterEach(() => {
    expect(bd.pageErrors.splice(0)).toEqual([]);
  });

  it('signs an admin in; config errors show inline, and a valid save persists', async () => {
    const admin = await person();
    await admin.goto('/admin/support');
    await admin.waitForURL(/\/sign-in\?next=/);
    await admin.getByRole('heading', { name: 'Sign in' }).waitFor();
    await bd.screenshot(admin, 'sign-in');

    // a wrong password is said plainly
    await admin.getByLabel('Email').fill('admin@demo.test');
    await admin.getByLabel('Password').fill('not-the-password');
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.getByText('That email and password do not match an account.').waitFor();

    await admin.getByLabel('Password').fill('demo-password-1');
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.waitForURL(/\/admin\/support$/);
    await admin.getByRole('heading', { name: 'Support inbox' }).waitFor();

    await admin.getByRole('link', { name: 'Config' }).click();
    await admin.getByRole('heading', { name: 'System config' }).waitFor();
    const number = admin.getByLabel('WhatsApp number');
    const save = admin.getByRole('button', { name: 'Save settings' });

    // client-side: digits only, 8 to 15
    await number.fill('+49 151 234');
    await save.click();
    expect(await number.getAttribute('aria-invalid')).toBe('true');
    await admin.getByText('Use digits only: no spaces, dashes or +.').waitFor();
    await number.fill('1234');
    await save.click();
    await admin.getByText('Must be 8 to 15 digits, country code first.').waitFor();

    // server-side: the desk refuses a URL with credentials, and its message lands next to the field
    await number.fill('4915123456789');
    const portalUrl = admin.getByLabel('Portal base URL');
    await portalUrl.fill('https://user:secret@desk.example.com');
    await save.click();
    const urlError = admin.locator('.field', { has: portalUrl }).locator('[data-field-error]');
    await urlError.waitFor();
    expect(await urlError.textContent()).toMatch(/user name or password/i);
    expect(await portalUrl.getAttribute('aria-invalid')).toBe('true');

    // a valid save persists
    await portalUrl.fill('https://desk.example.com/');
    await admin.getByLabel('Support email').fill('help@acme-support.test');
    await admin.getByRole('switch', { name: 'Show the WhatsApp bubble on partner pages' }).check();
    await save.click();
    await admin.getByText('Open pages show the new settings at once.').waitFor();
    await admin.reload();
    await admin.getByRole('heading', { name: 'System config' }).waitFor();
    await admin.getByLabel('WhatsApp number').waitFor();
    expect(await admin.getByLabel('WhatsApp number').inputValue()).toBe('4915123456789');
    expect(await admin.getByLabel('Portal base URL').inputValue()).toBe('https://desk.example.com');
    expect(await admin.getByLabel('Support email').inputValue()).toBe('help@acme-support.test');
    expect(await admin.getByRole('switch', { name: 'Show the WhatsApp bubble on partner pages' }).isChecked()).toBe(
      true,
    );
    await bd.screenshot(admin, 'config');
  });

  it('warns on the config page and next to "Issue link" when links would lead to another origin', async () => {
    await arrangeConfig(); // https://desk.example.com: not where this browser uses the desk
    const admin = await person('admin@demo.test');
    await admin.goto('/admin/system-config');
    const warning = admin.getByTestId('portal-url-mismatch');
    await warning.waitFor();
    expect(await warning.textContent()).toContain('https://desk.example.com');
    expect(await warning.textContent()).toContain(bd.web);
    // one click puts this page's origin in the field, and the warning goes
    await warning.getByRole('button', { name: `Use ${bd.web}` }).click();
    expect(await admin.getByLabel('Portal base URL').inputValue()).toBe(bd.web);
    await warning.waitFor({ state: 'detached' });

    // the thread drawer says so beside "Issue link", before a dead link is handed out
    const threadId = await arrangeThread('Invoice 4480 was paid twice');
    await admin.goto(`/admin/support?thread=${threadId}`);
    const drawer = admin.getByRole('dialog', { name: 'Invoice 4480 was paid twice' });
    await drawer.getByRole('button', { name: 'Issue link' }).waitFor();
    const beside = drawer.getByTestId('issue-link-origin-warning');
    await beside.waitFor();
    expect(await beside.textContent()).toContain('https://desk.example.com');

    // once the portal base URL is this origin, neither warns
    await ok(api.admin.request('PUT', '/api/support/config', { ...CONFIG, portalBaseUrl: bd.web }));
    try {
      await admin.reload();
      await drawer.getByRole('button', { name: 'Issue link' }).waitFor();
      await drawer.getByTestId('guest-links').waitFor();
      await admin.waitForLoadState('networkidle');
      expect(await drawer.getByTestId('issue-link-origin-warning').count()).toBe(0);
      await admin.goto('/admin/system-config');
      await admin.getByLabel('Portal base URL').waitFor();
      expect(await admin.getByLabel('Portal base URL').inputValue()).toBe(bd.web);
      expect(await admin.getByTestId('portal-url-mismatch').count()).toBe(0);
    } finally {
      await arrangeConfig();
    }
  });

  it('an agent in a fresh browser assigns a thread to a teammate', async () => {
    const subject = 'Invoice 4481 was paid twice';
    const threadId = await arrangeThread(subject);
    const agent = await person('agent@demo.test'); // a profile of its own: it has met no one
    await agent.goto(`/admin/support?thread=${threadId}`);
    const drawer = agent.getByRole('dialog', { name: subject });
    await drawer.waitFor();
    const picker = drawer.getByLabel('Assignee', { exact: true });
    // every admin and agent is offered (not auditors, ops or partners)
    await drawer.locator('#assignee-select option', { hasText: 'Ada Admin' }).waitFor({ state: 'attached' });
    const offered = await picker.locator('option').allTextContents();
    expect(offered).toEqual(['Unassigned', 'Me (Alex Agent)', 'Ada Admin']);

    await picker.selectOption({ label: 'Ada Admin' });
    await agent.getByText('Assigned to Ada Admin').waitFor();
    await drawer.locator('.facts dd', { hasText: 'Ada Admin' }).waitFor();
    const view = await ok(
      api.agent.request<{ thread: { assigneeName: string | null } }>('GET', `/api/support/threads/${threadId}`),
    );
    expect(view.thread.assigneeName).toBe('Ada Admin');
  });

  it("a partner raises a query, and the admin's open inbox shows it without a reload", async () => {
    const subject = 'Invoice 4471 was paid twice';
    const admin = await person('admin@demo.test');
    await admin.goto('/admin/support');
    await admin.getByRole('heading', { name: 'Support inbox' }).waitFor();
    await admin.getByTestId('count-OPEN').filter({ hasText: /^\d+$/ }).waitFor();
    await markPage(admin);

    const partner = await person('partner@acme.test');
    await partner.waitForURL(/\/portal$/);
    await partner.getByText('Warehouse audit, Rotterdam').click();
    await partner.getByRole('heading', { name: 'Warehouse audit, Rotterdam' }).waitFor();
    await partner.getByRole('button', { name: 'Raise query' }).click();

    const drawer = partner.getByRole('dialog', { name: 'Raise a query' });
    await drawer.waitFor();
    // the form says what is missing before anything is sent
    await drawer.getByRole('button', { name: 'Raise query' }).click();
    await drawer.getByText('Choose what the query is about.').waitFor();
    await drawer.getByLabel('Query type').selectOption('PAYMENT');
    await drawer.getByLabel('Priority').selectOption('HIGH');
    await drawer.getByLabel('Subject').fill(subject);
    await drawer
      .getByLabel('Message')
      .fill('Our bank shows two transfers for invoice 4471 on 3 March. Please refund one.');
    await bd.screenshot(partner, 'raise-query');
    await drawer.getByRole('button', { name: 'Raise query' }).click();
    await partner.getByTestId('raise-success').waitFor();
    const href = await partner.getByRole('link', { name: 'View the conversation' }).getAttribute('href');
    const threadId = href!.split('/').pop()!;
    expect(threadId).toMatch(/^[0-9a-f-]{36}$/);

    // the admin's inbox, still open, shows the new thread: no reload
    const row = admin.locator(`[data-thread-id="${threadId}"]`);
    await row.waitFor(LIVE);
    expect(await row.textContent()).toContain(subject);
    expect(await row.textContent()).toContain('Awaiting reply');
    expect(await row.getAttribute('class')).toContain('unread');
    // and its open count: the desk's own count now (the read model has this thread, and so all before it)
    const counts = await ok(api.agent.request<{ OPEN: number }>('GET', '/api/support/inbox/counts'));
    expect(counts.OPEN).toBeGreaterThanOrEqual(1);
    await admin
      .getByTestId('count-OPEN')
      .filter({ hasText: new RegExp(`^${counts.OPEN}$`) })
      .waitFor(LIVE);
    expect(await wasNotReloaded(admin)).toBe(true);
    // with the live hub, the update came over the websocket (through the one-origin proxy)
    const transport = await admin.evaluate(() => document.documentElement.dataset.live);
    expect(transport).toBe(bd.liveSocket ? 'socket' : 'polling');
  });

  it("the admin replies and the partner's page shows it live; the internal note never reaches the partner", async () => {
    const subject = 'Invoice 4472 was paid twice';
    const threadId = await arrangeThread(subject);
    const partner = await person('partner@acme.test');
    await partner.goto(`/portal/threads/${threadId}`);
    await partner.getByRole('heading', { name: subject }).waitFor();
    await markPage(partner);

    const admin = await person('admin@demo.test');
    await admin.goto('/admin/support');
    await admin.locator(`[data-thread-id="${threadId}"] a`).click();
    const drawer = admin.getByRole('dialog', { name: subject });
    await drawer.waitFor();
    expect(new URL(admin.url()).searchParams.get('thread')).toBe(threadId);

    // an internal note, styled apart
    await drawer.getByRole('radio', { name: 'Internal note' }).click();
    await drawer.getByLabel('Internal note').fill(NOTE);
    await drawer.getByRole('button', { name: 'Add note' }).click();
    const note = drawer.getByTestId('internal-note').filter({ hasText: NOTE });
    await note.waitFor();
    expect(await note.textContent()).toContain('Internal note');
    expect(await note.locator('.message-bubble').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(254, 249, 195)',
    );

    // then a reply
    await drawer.getByRole('radio', { name: 'Reply' }).click();
    await drawer.getByLabel('Reply').fill(REPLY);
    await drawer.getByRole('button', { name: 'Send reply' }).click();
    await drawer.getByTestId('message').filter({ hasText: REPLY }).waitFor();
    await drawer.getByText('Pending', { exact: true }).first().waitFor();
    await bd.screenshot(admin, 'inbox-drawer');

    // the partner sees the reply arrive, without a reload, and never the note
    await partner.getByText(REPLY).waitFor(LIVE);
    expect(await wasNotReloaded(partner)).toBe(true);
    expect(await partner.getByTestId('message').count()).toBe(2);
    expect(await partner.getByTestId('internal-note').count()).toBe(0);
    expect(await partner.content()).not.toContain('INTERNAL:');
    expect(await partner.content()).not.toContain('refund approved by Dana');
    await partner.getByText('Support replied and is waiting for your answer.').waitFor();
  });

  it('the WhatsApp bubble opens wa.me with the assignment and thread prefilled', async () => {
    const subject = 'Invoice 4473 was paid twice';
    await arrangeConfig();
    const threadId = await arrangeThread(subject);
    const partner = await person('partner@acme.test');
    await partner.goto(`/portal/threads/${threadId}`);
    await partner.getByRole('heading', { name: subject }).waitFor();
    const bubble = partner.getByTestId('whatsapp-bubble');
    await bubble.waitFor();
    const href = await bubble.getAttribute('href');
    const text = `Hello, I have a question about assignment A-1001 (thread ${threadId.replace(/-/g, '').slice(0, 8)})`;
    expect(href).toBe(`https://wa.me/4915123456789?text=${encodeURIComponent(text)}`);
    expect(new URL(href!).searchParams.get('text')).toBe(text);
    expect(await bubble.getAttribute('target')).toBe('_blank');
    expect(await bubble.getAttribute('rel')).toContain('noopener');

    await partner.getByRole('link', { name: 'Portal', exact: true }).first().click();
    await partner.getByRole('heading', { name: /Hello,/ }).waitFor();
    await partner.getByTestId('my-thread').filter({ hasText: subject }).waitFor();
    const portalBubble = await partner.getByTestId('whatsapp-bubble').getAttribute('href');
    expect(new URL(portalBubble!).searchParams.get('text')).toBe('Hello, I have a question about my assignments');
    await bd.screenshot(partner, 'portal');
  });

  it('a guest link works, then stops working once revoked, with a clear page', async () => {
    const subject = 'Invoice 4474 was paid twice';
    await arrangeConfig(); // the link is built on the portal base URL
    const threadId = await arrangeThread(subject, { note: true, reply: true });
    const admin = await person('admin@demo.test');
    await admin.goto(`/admin/support?thread=${threadId}`);
    const drawer = admin.getByRole('dialog', { name: subject });
    await drawer.waitFor();
    await drawer.getByRole('button', { name: 'Issue link' }).click();
    await drawer.getByLabel('Recipient email').fill('accounts@acme.test');
    await drawer.getByRole('button', { name: 'Issue link' }).click();
    const issued = drawer.getByTestId('issued-link');
    await issued.waitFor();
    expect(await issued.textContent()).toContain('it will not be shown again');
    const guestUrl = await issued.getByLabel('Guest link').inputValue();
    expect(guestUrl).toMatch(/^https:\/\/desk\.example\.com\/t\/[A-Za-z0-9_-]{40,}$/);
    await drawer
      .getByTestId('guest-link')
      .filter({ hasText: 'accounts@acme.test' })
      .filter({ hasText: 'Active' })
      .waitFor();

    // the link is built on the portal base URL; the guest opens the same path on this desk
    const guest = await person();
    await guest.goto(new URL(guestUrl).pathname);
    await guest.getByRole('heading', { name: subject }).waitFor();
    await guest.getByText(REPLY).waitFor();
    expect(await guest.content()).not.toContain('INTERNAL:');
    expect(await guest.getByTestId('internal-note').count()).toBe(0);
    if (bd.liveSocket) {
      // presence: staff see who else has the thread open, and who is typing
      await drawer.getByTestId('presence').filter({ hasText: 'accounts@acme.test is viewing' }).waitFor(LIVE);
      await guest.getByLabel('Reply').fill('Guest');
      await drawer.getByTestId('presence').filter({ hasText: 'accounts@acme.test is typing' }).waitFor(LIVE);
    }
    await guest.getByLabel('Reply').fill(GUEST_REPLY);
    await guest.getByRole('button', { name: 'Send reply' }).click();
    await guest.getByTestId('message').filter({ hasText: GUEST_REPLY }).waitFor();
    await bd.screenshot(guest, 'guest');

    // staff see the guest's message live
    await drawer.getByText(GUEST_REPLY).waitFor(LIVE);

    await drawer.getByRole('button', { name: 'Done, I copied it' }).click();
    await drawer.getByTestId('guest-link').getByRole('button', { name: 'Revoke' }).click();
    await drawer.getByRole('button', { name: 'Confirm revoke' }).click();
    await drawer.getByTestId('guest-link').filter({ hasText: 'Revoked' }).waitFor();

    // the open guest page notices by itself, and a reload stays refused
    await guest.getByTestId('invalid-link').waitFor(LIVE);
    await guest.reload();
    await guest.getByRole('heading', { name: 'This link no longer works' }).waitFor();
    expect(await guest.content()).not.toContain(REPLY);
    await bd.screenshot(guest, 'revoked-link');
  });

  it('an auditor reaches the thread history from the audit list', async () => {
    const subject = 'Invoice 4475 was paid twice';
    // revision 0: raised; 1: the internal note; 2: the reply (the thread is Pending)
    const threadId = await arrangeThread(subject, { note: true, reply: true });
    const auditor = await person('auditor@demo.test');
    await auditor.waitForURL(/\/audit$/);
    await auditor.getByRole('link', { name: new RegExp(subject) }).click();
    await auditor.waitForURL(new RegExp(`/audit/threads/${threadId}$`));
    const verification = auditor.getByTestId('verification');
    await verification.waitFor(LIVE);
    expect(await verification.textContent()).toContain('History verified');
    // the timeline: who did what; a click shows the state as of that event
    await auditor.getByRole('button', { name: /State as of revision 0: QueryRaised/ }).click();
    await auditor.getByRole('heading', { name: 'State as of revision 0' }).waitFor();
    expect(await auditor.getByTestId('state-as-of').textContent()).toMatch(/Messages\s*1/);
    await auditor.getByRole('button', { name: /State as of revision 2: MessagePosted/ }).click();
    await auditor.getByRole('heading', { name: 'State as of revision 2' }).waitFor();
    await auditor.getByTestId('state-as-of').filter({ hasText: 'Pending' }).waitFor();
    expect(await auditor.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe(
      `/api/audit/threads/${threadId}/export?format=csv`,
    );
    await bd.screenshot(auditor, 'audit');

    // auditors read the inbox but cannot act
    await auditor.goto(`/admin/support?thread=${threadId}`);
    const drawer = auditor.getByRole('dialog', { name: subject });
    await drawer.getByText('Read-only').waitFor();
    expect(await drawer.getByRole('button', { name: 'Send reply' }).count()).toBe(0);
    await drawer.getByRole('link', { name: 'View history and verify' }).waitFor();
  });

  it('the ops view shows projections and starts a rebuild', async () => {
    const admin = await person('admin@demo.test');
    await admin.goto('/admin/support');
    await admin.getByRole('heading', { name: 'Support inbox' }).waitFor();
    await admin.getByRole('link', { name: 'Ops' }).click();
    await admin.getByRole('heading', { name: 'Operations' }).waitFor();
    const threads = admin.getByTestId('projection-threads');
    await threads.waitFor();
    await threads.getByRole('button', { name: 'Rebuild' }).click();
    await admin.getByText('Rebuild of threads started').waitFor();
    await threads.getByRole('button', { name: 'Rebuild' }).waitFor(LIVE);
    await admin.getByTestId('email-queue').waitFor();
    await admin.getByTestId('mailbox').waitFor();
    await bd.screenshot(admin, 'ops');
  });

  it("a signed-in user's web app error reaches the desk, and the page says reported only when it was", async () => {
    const isInbox = (url: URL) => url.pathname === '/api/support/inbox';
    const failInbox = (page: Page) =>
      page.route(isInbox, (route) =>
        route.fulfill({
          status: 500,
          contentType: 'application/problem+json',
          body: JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500 }),
        }),
      );
    const admin = await person('admin@demo.test');
    await failInbox(admin);
    const report = admin.waitForResponse((r) => new URL(r.url()).pathname === '/api/client-logs');
    await admin.goto('/admin/support');
    expect((await report).status()).toBe(202);
    await admin.getByText('Something went wrong on our side. It has been reported; try again shortly.').waitFor();
    const { rows } = await bd.desk.db.pool.query<{ message: string }>(
      `SELECT message FROM client_logs WHERE message LIKE 'GET /api/support/inbox answered 500'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);

    // when the intake refuses, the page does not claim the error was reported
    const agent = await person('agent@demo.test');
    await failInbox(agent);
    await agent.route(
      (url) => url.pathname === '/api/client-logs',
      (route) => route.fulfill({ status: 429, contentType: 'application/problem+json', body: '{"status":429}' }),
    );
    await agent.goto('/admin/support');
    await agent.getByText('Something went wrong on our side. Try again shortly.').waitFor();
    expect(await agent.getByText(/has been reported/).count()).toBe(0);
  });

  it('the thread drawer names its two close buttons apart', async () => {
    const subject = 'Invoice 4477 was paid twice';
    const threadId = await arrangeThread(subject);
    const agent = await person('agent@demo.test');
    await agent.goto(`/admin/support?thread=${threadId}`);
    const drawer = agent.getByRole('dialog', { name: subject });
    await drawer.waitFor();
    expect(await drawer.getByRole('button', { name: 'Close', exact: true }).count()).toBe(0);
    const closeThread = drawer.getByRole('button', { name: 'Close thread', exact: true });
    const closePanel = drawer.getByRole('button', { name: 'Close panel', exact: true });
    expect(await closeThread.count()).toBe(1);
    expect(await closePanel.count()).toBe(1);
    expect((await closeThread.textContent())?.trim()).toBe('Close thread');
    await closeThread.click();
    await agent.getByText('Thread closed').waitFor();
    await drawer.getByText('This thread is closed. Reopen it to reply.').waitFor();
    await closePanel.click();
    await drawer.waitFor({ state: 'detached' });
    expect(new URL(agent.url()).searchParams.get('thread')).toBeNull();
  });

  it('the inbox preview marks an internal note as a note, and partners never see it', async () => {
    const subject = 'Invoice 4478 was paid twice';
    const threadId = await arrangeThread(subject, { note: true });
    const agent = await person('agent@demo.test');
    await agent.goto('/admin/support');
    const preview = agent.locator(`[data-thread-id="${threadId}"]`).getByTestId('thread-preview');
    await preview.waitFor();
    expect(await preview.textContent()).toBe(`Internal note: ${NOTE}`);
    await bd.screenshot(agent, 'inbox-note-preview');

    const { items } = await ok(
      api.agent.request<{ items: { threadId: string; lastMessageVisibility?: string }[] }>(
        'GET',
        '/api/support/inbox?limit=100',
      ),
    );
    expect(items.find((t) => t.threadId === threadId)?.lastMessageVisibility).toBe('internal');
    const mine = await ok(
      api.partner.request<{ items: Record<string, unknown>[] }>('GET', '/api/support/my/threads?limit=100'),
    );
    const partnerRow = mine.items.find((t) => t.threadId === threadId)!;
    expect(partnerRow).not.toHaveProperty('lastMessageVisibility');
    expect(JSON.stringify(partnerRow)).not.toContain('INTERNAL:');

    // a reply after it is shown as a staff reply again
    await ok(
      api.agent.request('POST', `/api/support/threads/${threadId}/messages`, { body: REPLY, visibility: 'external' }),
    );
    await agent
      .locator(`[data-thread-id="${threadId}"]`)
      .getByTestId('thread-preview')
      .filter({ hasText: `Staff: ${REPLY}` })
      .waitFor(LIVE);
  });

  it('revoking a link takes its URL out of the "Copy this link now" box', async () => {
    const subject = 'Invoice 4479 was paid twice';
    await arrangeConfig();
    const threadId = await arrangeThread(subject);
    const admin = await person('admin@demo.test');
    await admin.goto(`/admin/support?thread=${threadId}`);
    const drawer = admin.getByRole('dialog', { name: subject });
    await drawer.waitFor();
    const issue = async (recipient: string) => {
      await drawer.getByRole('button', { name: 'Issue link' }).click();
      await drawer.getByLabel('Recipient email').fill(recipient);
      await drawer.getByRole('button', { name: 'Issue link' }).click();
      await drawer.getByTestId('issued-link').waitFor();
      await drawer.getByTestId('guest-link').filter({ hasText: recipient }).filter({ hasText: 'Active' }).waitFor();
    };
    const revoke = async (recipient: string) => {
      const row = drawer.getByTestId('guest-link').filter({ hasText: recipient });
      await row.getByRole('button', { name: 'Revoke' }).click();
      await row.getByRole('button', { name: 'Confirm revoke' }).click();
      await row.filter({ hasText: 'Revoked' }).waitFor();
    };

    await issue('first@acme.test');
    await drawer.getByRole('button', { name: 'Done, I copied it' }).click();
    await issue('second@acme.test');
    const shown = await drawer.getByTestId('issued-link').getByLabel('Guest link').inputValue();

    // revoking another link leaves the box alone
    await revoke('first@acme.test');
    expect(await drawer.getByTestId('issued-link').getByLabel('Guest link').inputValue()).toBe(shown);

    // revoking the link it shows takes the box away, and "Issue link" is back
    await revoke('second@acme.test');
    await drawer.getByTestId('issued-link').waitFor({ state: 'detached' });
    expect(await drawer.getByRole('textbox', { name: 'Guest link' }).count()).toBe(0);
    await drawer.getByRole('button', { name: 'Issue link' }).waitFor();
  });

  it('works at phone width: every status tab in sight, and the WhatsApp bubble covers nothing', async () => {
    await arrangeConfig(); // the bubble shows
    const threadId = await arrangeThread('Invoice 4476 was paid twice', { reply: true });
    const phone = await person('partner@acme.test', { phone: true });
    await phone.goto(`/portal/threads/${threadId}`);
    await phone.getByText(REPLY).waitFor();
    await phone.getByTestId('whatsapp-bubble').waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // at the top and at the bottom of the page, the bubble overlaps neither the last message nor the reply box
    for (const at of ['top', 'bottom'] as const) {
      const overlaps = await phone.evaluate((where) => {
        window.scrollTo(0, where === 'top' ? 0 : document.documentElement.scrollHeight);
        const box = (el: Element | null | undefined) => el?.getBoundingClientRect();
        const bubble = box(document.querySelector('[data-testid="whatsapp-bubble"]'))!;
        const covered = {
          lastMessage: box([...document.querySelectorAll('.message-bubble')].at(-1)),
          replyBox: box(document.querySelector('[data-testid="reply-box"]')),
        };
        return Object.entries(covered)
          .filter(
            ([, r]) =>
              r && bubble.left < r.right && r.left < bubble.right && bubble.top < r.bottom && r.top < bubble.bottom,
          )
          .map(([name]) => name);
      }, at);
      expect(overlaps, `scrolled to the ${at}`).toEqual([]);
    }
    await phone.evaluate(() => window.scrollTo(0, 0));
    await bd.screenshot(phone, 'phone-portal-thread');

    const staff = await person('agent@demo.test', { phone: true });
    await staff.getByTestId('inbox-row').first().waitFor();
    expect(await staff.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    // every tab whole and inside the screen: none cut off, none hidden behind a scroll
    const tabs = staff.getByRole('tablist', { name: 'Status' }).getByRole('tab');
    expect(await tabs.count()).toBe(5);
    const cut = await staff.getByRole('tablist', { name: 'Status' }).evaluate((list) =>
      [...list.querySelectorAll('[role="tab"]')]
        .filter((tab) => {
          const r = tab.getBoundingClientRect();
          return r.left < 0 || r.right > window.innerWidth || tab.scrollWidth > tab.clientWidth;
        })
        .map((tab) => tab.textContent)
        .concat(list.scrollWidth > list.clientWidth ? ['(the list scrolls sideways)'] : []),
    );
    expect(cut).toEqual([]);
    await bd.screenshot(staff, 'phone-inbox');
  });
});
