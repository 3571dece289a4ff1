import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedEmail } from '../support/fakeResend/fakeResendServer.js';
import { startEmailScenario, type EmailScenario } from './emailScenario.js';
import { LIVE, ok, type Scenario } from './scenario.js';

/**
 * The satisfaction survey in a real browser: the email a resolution sends (the real one, through
 * the `resend` SDK to a Resend-compatible server), its one-click link followed by a browser that
 * has never signed in, a comment added on the rating page, and the answer in the staff drawer.
 * Writes docs/screenshots/csat-page.png.
 */

let scenario: Scenario;
let emails: EmailScenario;

async function surveyEmailAbout(subject: string): Promise<ReceivedEmail> {
  return emails.emailTo('partner@acme.test', (e) => e.subject === `How did we do? [A-1001] ${subject}`);
}

/** The link of one line of the email's plain text (`Good: <url>`). */
function linkAfter(email: ReceivedEmail, words: string): URL {
  const line = (email.text ?? '').split('\n').find((l) => l.startsWith(`${words}: `));
  if (!line) throw new Error(`no “${words}” link in the survey email`);
  return new URL(line.slice(words.length + 2));
}

describe('satisfaction survey, in a browser', { timeout: 90_000 }, () => {
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

  it('when the partner clicks “Good” in the email without signing in and adds a comment, then staff see both in the drawer', async () => {
    const subject = 'Refund for the duplicate transfer';
    const threadId = await scenario.arrangeThread(subject, { reply: true });
    await ok(scenario.api.agent.request('POST', `/api/support/threads/${threadId}/resolve`));
    const email = await surveyEmailAbout(subject);
    const good = linkAfter(email, 'Good');
    expect(good.origin).toBe(scenario.bd.web);
    expect(good.pathname).toMatch(/^\/rate\/[A-Za-z0-9_-]{65}$/);
    expect(good.searchParams.get('rating')).toBe('good');

    // a browser that has never signed in follows the one-click link: the page records the rating
    const visitor = await scenario.person();
    await visitor.goto(good.href);
    await visitor.getByRole('heading', { name: 'How did we do?' }).waitFor(LIVE);
    await visitor.getByText('We recorded your answer: Good.', { exact: false }).waitFor(LIVE);
    expect(await visitor.getByRole('radio', { name: 'Good' }).isChecked()).toBe(true);
    expect(visitor.url()).not.toContain('/sign-in');

    // a comment, then the answer changed to okay and back: the latest counts
    await visitor.getByLabel('A comment (optional)').fill('Quick refund, thank you. The first answer took a day.');
    await visitor.getByRole('radio', { name: 'Okay' }).check();
    await visitor.getByRole('button', { name: 'Save changes' }).click();
    await visitor.getByText('We recorded your answer: Okay.', { exact: false }).waitFor(LIVE);
    await visitor.getByRole('radio', { name: 'Good' }).check();
    await visitor.getByRole('button', { name: 'Save changes' }).click();
    await visitor.getByText('We recorded your answer: Good.', { exact: false }).waitFor(LIVE);
    await scenario.bd.screenshot(visitor, 'csat-page');

    const rated = (await scenario.bd.desk.eventStore.readStream(`thread-${threadId}`)).filter(
      (e) => e.type === 'SatisfactionRated',
    );
    expect(rated.map((e) => [e.data.rating, e.data.comment])).toEqual([
      ['good', null],
      ['okay', 'Quick refund, thank you. The first answer took a day.'],
      ['good', 'Quick refund, thank you. The first answer took a day.'],
    ]);

    // the comment link of the same email opens the page with the answer as recorded, the comment box focused
    const commentLink = linkAfter(email, 'Add a comment');
    await visitor.goto(commentLink.href);
    await visitor.getByRole('heading', { name: 'How did we do?' }).waitFor(LIVE);
    await expect.poll(() => visitor.evaluate(() => document.activeElement?.id)).toBe('comment');
    expect(await visitor.getByLabel('A comment (optional)').inputValue()).toBe(
      'Quick refund, thank you. The first answer took a day.',
    );

    // staff see the rating and the comment beside the thread
    const admin = await scenario.person('admin@demo.test');
    await admin.goto(`/admin/support?thread=${threadId}`);
    const panel = admin.getByTestId('satisfaction-panel');
    await panel.waitFor(LIVE);
    await panel.getByTestId('satisfaction-rating').getByText('Good').waitFor(LIVE);
    await panel.getByText('Quick refund, thank you. The first answer took a day.').waitFor(LIVE);
    // a change made while the drawer is open shows with the live push, no reload
    await visitor.getByRole('radio', { name: 'Bad' }).check();
    await visitor.getByRole('button', { name: 'Save changes' }).click();
    await visitor.getByText('We recorded your answer: Bad.', { exact: false }).waitFor(LIVE);
    await panel.getByTestId('satisfaction-rating').getByText('Bad').waitFor(LIVE);
    // and in the audit history
    await admin.goto(`/audit/threads/${threadId}`);
    await admin.getByText('Rated Good', { exact: false }).first().waitFor(LIVE);
  });

  it('when a link is wrong, then the page says so in plain words', async () => {
    const visitor = await scenario.person();
    await visitor.goto(`/rate/${'A'.repeat(65)}`);
    await visitor.getByRole('heading', { name: 'This survey link does not work' }).waitFor(LIVE);
  });
});
