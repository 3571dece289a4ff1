import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LIVE, markPage, ok, startScenario, wasNotReloaded, type Scenario } from './scenario.js';

/**
 * Service levels, in a browser: an admin makes a 24/7 calendar and a business-hours one (a lunch
 * break, a holiday) and a policy with a 1-minute first-response target; a partner raises a query
 * and the admin's open inbox shows "first reply due in …"; the browser's clock moves past the
 * deadline and the chip turns red, saying "breached", without a reload or a push; an agent's
 * reply stops the clock and the drawer says "met". The editing pages refuse what they must
 * (beside the field), a calendar in use is not deleted, and agents read the pages but change
 * nothing.
 */
let scenario: Scenario;

const ALWAYS = 'Around the clock';
const OFFICE = 'Amsterdam office';
const FAST = 'Payments within a minute';

async function chip(page: Page, subject: string) {
  return page.getByTestId('inbox-row').filter({ hasText: subject }).getByTestId('sla-chip');
}

describe('service levels, in a browser', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    scenario = await startScenario();
  });
  afterAll(async () => {
    await scenario?.bd.stop();
  });
  afterEach(() => {
    expect(scenario.bd.pageErrors.splice(0)).toEqual([]);
  });

  it('an admin makes calendars and a policy; a new query’s clock counts down, goes red live, and a reply stops it', async () => {
    const admin = await scenario.person();
    // the page's clock is Playwright's from the start: it runs at the normal pace until moved on
    await admin.clock.install();
    await scenario.bd.signIn(admin, 'admin@demo.test');
    await admin.getByRole('link', { name: 'Service levels' }).click();
    await admin.getByRole('heading', { name: 'Service levels' }).waitFor();

    // a 24/7 calendar; the name is missing first, and the page says so beside the field
    await admin.getByRole('link', { name: 'New calendar' }).click();
    await admin.getByRole('heading', { name: 'New calendar' }).waitFor();
    await admin.getByLabel('Time zone').fill('Nowhere/Atlantis');
    await admin.getByRole('button', { name: 'Save calendar' }).click();
    expect(await fieldError(admin, 'Name')).toBe('Give the calendar a name.');
    expect(await fieldError(admin, 'Time zone')).toContain('Pick a time zone from the list');
    await admin.getByLabel('Name').fill(ALWAYS);
    await admin.getByLabel('Time zone').fill('UTC');
    await admin.getByRole('switch', { name: 'Open 24/7' }).check();
    await admin.getByRole('button', { name: 'Save calendar' }).click();
    await admin.getByTestId('sla-version').filter({ hasText: 'Version 1, last changed by you' }).waitFor();
    expect(admin.url()).not.toContain('/new');

    // a business-hours calendar: Monday with a lunch break, Friday closed, a holiday
    await admin.getByRole('link', { name: 'Service levels' }).first().click();
    await admin.getByRole('link', { name: 'New calendar' }).click();
    await admin.getByLabel('Name').fill(OFFICE);
    await admin.getByLabel('Time zone').fill('Europe/Amsterdam');
    await admin.getByLabel('Monday interval 1 closes').fill('12:30');
    await admin.getByRole('button', { name: 'Add hours on Monday' }).click();
    await admin.getByLabel('Monday interval 2 opens').fill('13:30');
    await admin.getByLabel('Monday interval 2 closes').fill('12:00');
    await admin.getByRole('button', { name: 'Remove Friday interval 1' }).click();
    await admin.getByRole('button', { name: 'Add holiday' }).click();
    await admin.getByLabel('Holiday 1 date').fill('2026-12-25');
    await admin.getByLabel('Holiday 1 name').fill('Christmas Day');
    await admin.getByRole('button', { name: 'Save calendar' }).click();
    expect(await fieldError(admin, 'Monday interval 2 closes')).toBe('Must be after the start.');
    // overlapping intervals only the desk refuses: its sentence stands beside Monday
    await admin.getByLabel('Monday interval 2 opens').fill('12:00');
    await admin.getByLabel('Monday interval 2 closes').fill('17:30');
    await admin.getByRole('button', { name: 'Save calendar' }).click();
    await admin.getByTestId('sla-day-mon').getByText('Intervals of a day must not overlap.').waitFor();
    expect(await admin.getByTestId('sla-version').count()).toBe(0);
    await admin.getByLabel('Monday interval 2 opens').fill('13:30');
    await admin.getByRole('button', { name: 'Save calendar' }).click();
    await admin.getByTestId('sla-version').filter({ hasText: 'Version 1' }).waitFor();
    await admin.evaluate(() => window.scrollTo(0, 0));
    await scenario.bd.screenshot(admin, 'sla-calendar');

    // the policy: payments get a first reply within a minute, on the 24/7 calendar
    await admin.getByRole('link', { name: 'Service levels' }).first().click();
    await admin.getByRole('link', { name: 'New policy' }).click();
    await admin.getByRole('heading', { name: 'New policy' }).waitFor();
    await admin.getByLabel('Name').fill(FAST);
    await admin.getByLabel('Calendar').selectOption({ label: `${ALWAYS} (24/7)` });
    await admin.getByLabel('Position').fill('10');
    await admin.getByRole('checkbox', { name: 'Payment' }).check();
    await admin.getByLabel('High first response').fill('soon');
    await admin.getByRole('button', { name: 'Save policy' }).click();
    expect(await fieldError(admin, 'High first response')).toBe('Use minutes or hours, like 90, 1h 30m or 2h.');
    for (const priority of ['Low', 'Medium', 'High', 'Urgent']) {
      await admin.getByLabel(`${priority} first response`).fill('1');
      await admin.getByLabel(`${priority} next response`).fill('1h 30m');
      await admin.getByLabel(`${priority} resolution`).fill('');
    }
    await admin.getByLabel('Warn before').fill('0');
    await admin.getByRole('button', { name: 'Save policy' }).click();
    await admin.getByTestId('sla-version').filter({ hasText: 'Version 1' }).waitFor();
    expect(await admin.getByLabel('High next response').inputValue()).toBe('1h 30m');
    const fastId = new URL(admin.url()).pathname.split('/').pop()!;
    await admin.evaluate(() => window.scrollTo(0, 0));
    await scenario.bd.screenshot(admin, 'sla-policy');

    // everything else: on the office's hours, a first reply within 4 hours (arranged, not what is tested)
    const config = await ok(
      scenario.api.admin.request<{ calendars: { calendarId: string; name: string }[] }>(
        'GET',
        '/api/support/sla/config',
      ),
    );
    const office = config.calendars.find((c) => c.name === OFFICE)!;
    const targets = { firstResponseMinutes: 240, nextResponseMinutes: 240, resolutionMinutes: 2400 };
    await ok(
      scenario.api.admin.request('PUT', `/api/support/sla/policies/${crypto.randomUUID()}`, {
        name: 'Everything else',
        calendarId: office.calendarId,
        position: 20,
        match: { queryTypes: [], partnerOrgIds: [] },
        targets: { LOW: targets, MEDIUM: targets, HIGH: targets, URGENT: targets },
        warnBeforeMinutes: 30,
      }),
    );

    // the calendar in use cannot go; the desk says why
    await admin.goto('/admin/service-levels');
    await admin.getByRole('link', { name: ALWAYS }).click();
    await admin.getByRole('button', { name: 'Delete calendar' }).click();
    await admin.getByRole('button', { name: 'Yes, delete' }).click();
    const refused = admin.getByRole('alert');
    await refused.waitFor();
    expect(await refused.innerText()).not.toMatch(/sla_|[0-9a-f]{8}-/);

    // the inbox is open when the partner raises the query
    await admin.goto('/admin/support');
    await admin.getByRole('heading', { name: 'Support inbox' }).waitFor();
    await markPage(admin);
    // a technical query runs on the office's hours (4 h); the payment on the 24/7 minute
    const other = 'The shared drive will not open';
    await ok(
      scenario.api.partner.request('POST', '/api/support/threads', {
        assignmentId: 'asg-1001',
        queryType: 'TECHNICAL',
        priority: 'MEDIUM',
        subject: other,
        body: 'Since this morning the shared drive asks for a password none of us has.',
      }),
    );
    const subject = 'Invoice 4471 was paid twice';
    const threadId = await scenario.arrangeThread(subject);
    await (await chip(admin, other)).waitFor(LIVE);
    const clock = await chip(admin, subject);
    await clock.waitFor(LIVE);
    expect(await clock.innerText()).toMatch(/^first reply due in (1 m|under 1 m)$/);
    expect(await clock.getAttribute('data-tone')).not.toBe('breached');

    // the browser's clock passes the deadline: the chip turns red by itself
    await admin.clock.fastForward('01:30');
    await admin.getByTestId('inbox-row').filter({ hasText: subject }).locator('[data-tone="breached"]').waitFor();
    expect(await clock.innerText()).toMatch(/^first reply breached/);
    await scenario.bd.screenshot(admin, 'sla-inbox');

    // the breaching-soon view lists it
    await admin.getByRole('button', { name: 'Breaching soon' }).click();
    await admin.getByText('Breaching soon: threads with a running service-level clock').waitFor();
    await admin.getByTestId('inbox-row').filter({ hasText: subject }).waitFor();
    // the soonest (most breached) deadline first
    await admin.getByTestId('inbox-row').nth(1).filter({ hasText: other }).waitFor();
    expect(await admin.getByTestId('inbox-row').first().innerText()).toContain(subject);

    // the drawer shows the policy and the target; an agent's reply stops the clock: met
    await admin.getByTestId('inbox-row').filter({ hasText: subject }).getByRole('link').click();
    const panel = admin.getByTestId('sla-panel');
    await panel.getByText(FAST).waitFor();
    expect(await panel.getByTestId('sla-policy').innerText()).toContain(`on ${ALWAYS} (version 1, UTC)`);
    const first = panel.locator('[data-metric="firstResponse"]');
    await first.locator('[data-tone="breached"]').waitFor();
    await ok(
      scenario.api.agent.request('POST', `/api/support/threads/${threadId}/messages`, {
        body: 'Thanks, we are looking into the duplicate payment.',
        visibility: 'external',
      }),
    );
    await first.getByText('first reply met').waitFor(LIVE);
    // its row leaves the breaching-soon view: no clock of it runs any more
    await admin
      .getByTestId('inbox-row')
      .filter({ hasText: subject })
      .waitFor({ state: 'detached', ...LIVE });
    expect(await wasNotReloaded(admin)).toBe(true);
    await scenario.bd.screenshot(admin, 'sla-drawer');

    // the policy changes (version 2); the thread keeps version 1 until an admin re-applies it
    const fast = await ok(
      scenario.api.admin.request<{ policies: Record<string, unknown>[] }>('GET', '/api/support/sla/config'),
    );
    const saved = fast.policies.find((p) => p.policyId === fastId)!;
    const { policyId: _id, version: _v, updatedAt: _at, updatedBy: _by, ...input } = saved;
    const slower = { firstResponseMinutes: 1, nextResponseMinutes: 120, resolutionMinutes: null };
    await ok(
      scenario.api.admin.request('PUT', `/api/support/sla/policies/${fastId}`, {
        ...input,
        targets: { LOW: slower, MEDIUM: slower, HIGH: slower, URGENT: slower },
      }),
    );
    await panel.getByRole('button', { name: 'Re-apply current policy' }).click();
    await panel.getByTestId('sla-policy').getByText('re-applied').waitFor(LIVE);
    expect(await panel.getByTestId('sla-policy').innerText()).toContain(`${FAST} (version 2)`);
  });

  it('an agent reads the service levels but changes nothing, and has no menu entry for them', async () => {
    const agent = await scenario.person('agent@demo.test');
    await agent.getByRole('heading', { name: 'Support inbox' }).waitFor();
    expect(await agent.getByRole('navigation', { name: 'Main' }).getByText('Service levels').count()).toBe(0);
    await agent.goto('/admin/service-levels');
    await agent.getByText('Read-only: only admins change service levels.').waitFor();
    await agent.getByRole('link', { name: FAST }).waitFor();
    expect(await agent.getByRole('link', { name: 'New policy' }).count()).toBe(0);
    expect(await agent.getByTestId('sla-reapply').count()).toBe(0);
    await agent.getByRole('link', { name: FAST }).click();
    await agent.getByText('Read-only: only admins change policies.').waitFor();
    expect(await agent.getByLabel('Name').isDisabled()).toBe(true);
    expect(await agent.getByRole('button', { name: 'Save policy' }).count()).toBe(0);
    expect(await agent.getByRole('button', { name: 'Delete policy' }).count()).toBe(0);
  });

  it('an admin deletes an unused calendar after a second click, and re-applies the policies to the threads of a period', async () => {
    const spare = crypto.randomUUID();
    await ok(
      scenario.api.admin.request('PUT', `/api/support/sla/calendars/${spare}`, {
        name: 'Spare calendar',
        timeZone: 'Europe/London',
        alwaysOpen: true,
        week: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
        holidays: [],
      }),
    );
    const admin = await scenario.person('admin@demo.test');
    await admin.goto(`/admin/service-levels/calendars/${spare}`);
    await admin.getByRole('heading', { name: 'Spare calendar' }).waitFor();
    await admin.getByRole('button', { name: 'Delete calendar' }).click();
    await admin.getByText('Delete Spare calendar? Threads keep the calendar they were given.').waitFor();
    await admin.getByRole('button', { name: 'Cancel' }).click();
    await admin.getByRole('button', { name: 'Delete calendar' }).click();
    await admin.getByRole('button', { name: 'Yes, delete' }).click();
    await admin.getByRole('heading', { name: 'Service levels' }).waitFor();
    await admin.getByTestId('sla-calendar-row').filter({ hasText: OFFICE }).waitFor();
    expect(await admin.getByTestId('sla-calendar-row').filter({ hasText: 'Spare calendar' }).count()).toBe(0);

    // the threads of the first story were raised today (in the browser's zone, Europe/Amsterdam)
    const day = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(d);
    const reapply = admin.getByTestId('sla-reapply');
    await reapply.getByRole('button', { name: 'Re-apply current policies' }).click();
    await reapply.getByText('Pick the first day.').waitFor();
    await reapply.getByLabel('Raised from').fill(day(new Date(Date.now() - 86_400_000)));
    await reapply.getByLabel('Raised until (including)').fill(day(new Date()));
    await reapply.getByRole('button', { name: 'Re-apply current policies' }).click();
    await reapply.getByRole('button', { name: 'Yes, re-apply' }).click();
    await reapply.getByText('Looked at 2 threads raised in those days').waitFor(LIVE);
  });
});

/** The error shown beside the field labelled `name` (tied to it by aria-describedby). */
async function fieldError(page: Page, name: string): Promise<string> {
  const input = page.getByLabel(name, { exact: true });
  await page.waitForFunction((el) => el?.getAttribute('aria-invalid') === 'true', await input.elementHandle());
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  for (const id of ids) {
    const text = await page
      .locator(`[id="${id}"][data-field-error]`)
      .innerText()
      .catch(() => '');
    if (text) return text.trim();
  }
  return '';
}
