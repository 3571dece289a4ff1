import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatPosition } from '../../eventstore/port.js';
import { appendThreadEvents } from '../support/reportThreads.js';
import { LIVE, ok, startScenario, type Scenario } from './scenario.js';

/**
 * The reports page in a browser, with threads of the desk's own: the figures, every chart drawn,
 * the filters kept in the address, a chart's CSV downloaded, and the page's screenshot.
 */

let scenario: Scenario;

interface Raised {
  threadId: string;
  position: string;
}

const queries = [
  { queryType: 'PAYMENT', priority: 'HIGH', subject: 'Invoice 4480 was paid twice' },
  { queryType: 'PAYMENT', priority: 'MEDIUM', subject: 'Credit note for March' },
  { queryType: 'DOCUMENTS', priority: 'LOW', subject: 'Delivery note missing for pallet 7' },
  { queryType: 'SCHEDULING', priority: 'URGENT', subject: 'Driver cannot reach the dock before 6' },
  { queryType: 'TECHNICAL', priority: 'HIGH', subject: 'Portal upload fails for PDFs' },
  { queryType: 'DOCUMENTS', priority: 'MEDIUM', subject: 'Customs form for the Basel load' },
];

describe('the reports page in a browser', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    scenario = await startScenario();
    const { api, bd } = scenario;
    // a service level for every thread: always open, a first reply within the hour, resolution within four
    const calendarId = crypto.randomUUID();
    const open = [{ start: '00:00', end: '24:00' }];
    await ok(
      api.admin.request('PUT', `/api/support/sla/calendars/${calendarId}`, {
        name: 'Always open',
        timeZone: 'Europe/Amsterdam',
        alwaysOpen: true,
        week: { mon: open, tue: open, wed: open, thu: open, fri: open, sat: open, sun: open },
        holidays: [],
      }),
    );
    const targets = { firstResponseMinutes: 60, nextResponseMinutes: 120, resolutionMinutes: 240 };
    await ok(
      api.admin.request('PUT', `/api/support/sla/policies/${crypto.randomUUID()}`, {
        name: 'Standard',
        calendarId,
        position: 0,
        match: { queryTypes: [], partnerOrgIds: [] },
        targets: { LOW: targets, MEDIUM: targets, HIGH: targets, URGENT: targets },
        warnBeforeMinutes: 15,
      }),
    );
    const raised: Raised[] = [];
    for (const q of queries) {
      raised.push(
        await ok(
          api.partner.request<Raised>('POST', '/api/support/threads', {
            assignmentId: 'asg-1001',
            body: 'Please have a look.',
            ...q,
          }),
        ),
      );
    }
    // answers after 20 minutes, 2 hours and a day on the desk's clock; some resolved after that
    let last = '';
    const act = async (path: string, body: unknown) => {
      last = (await ok(api.agent.request<{ position: string }>('POST', path, body))).position;
    };
    const agentId = (await bd.desk.desk.accounts.findByEmail('agent@demo.test'))!.id;
    const steps: [number, number[]][] = [
      [20 * 60_000, [0, 1]],
      [100 * 60_000, [2, 3]],
      [22 * 3600_000, [4]],
    ];
    for (const [shift, indexes] of steps) {
      bd.desk.clock.shift(shift);
      for (const i of indexes) {
        const threadId = raised[i]!.threadId;
        await act(`/api/support/threads/${threadId}/messages`, { body: 'On it.', visibility: 'external' });
        await act(`/api/support/threads/${threadId}/assign`, { assigneeId: agentId });
        if (i % 2 === 0) await act(`/api/support/threads/${threadId}/resolve`, {});
      }
    }
    // the raiser of the first thread answered its survey (as the survey page records it)
    const surveyed = raised[0]!.threadId;
    const surveyId = crypto.randomUUID();
    const now = bd.desk.clock.now().toISOString();
    const partner = { kind: 'partner' as const, id: 'partner-acme', name: 'Pat Partner' };
    last = formatPosition(
      await appendThreadEvents(bd.desk.eventStore, surveyed, [
        {
          type: 'SatisfactionSurveyOffered',
          data: {
            threadId: surveyed,
            surveyId,
            tokenSeed: 'B'.repeat(22),
            tokenHash: 'b'.repeat(64),
            recipient: partner,
            scale: 'three',
            expiresAt: new Date(Date.parse(now) + 14 * 86_400_000).toISOString(),
            by: { kind: 'staff', id: agentId, name: 'Alex Agent' },
            occurredAt: now,
          },
        },
        {
          type: 'SatisfactionRated',
          data: {
            threadId: surveyed,
            surveyId,
            rating: 'good',
            comment: 'Refund arrived the same day.',
            by: partner,
            occurredAt: now,
          },
        },
      ]),
    );
    await ok(api.agent.request('GET', `/api/support/reports?waitFor=${last}`));
  });

  afterAll(async () => {
    await scenario?.bd.stop();
  });

  afterEach(() => {
    expect(scenario.bd.pageErrors.splice(0)).toEqual([]);
  });

  it('when an agent opens the reports, then the figures and every chart show the desk’s threads, and each chart has its CSV', async () => {
    const page = await scenario.person('agent@demo.test');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor(LIVE);
    const threads = page.getByTestId('figure-threads');
    await threads.waitFor(LIVE);
    expect(await threads.locator('.value').textContent()).toBe('6');
    expect(await page.getByTestId('figure-first-response-median').locator('.value').textContent()).toMatch(
      /^\d+(\.\d)? (min|h|d)$/,
    );
    for (const chart of [
      'chart-first-response',
      'chart-resolution',
      'chart-backlog',
      'chart-query-type',
      'chart-priority',
      'chart-organisation',
      'chart-agent',
      'chart-sla',
      'chart-satisfaction',
    ]) {
      const card = page.getByTestId(chart);
      // drawn by recharts: an SVG surface with its bars or area
      await card.locator('svg.recharts-surface').first().waitFor(LIVE);
      expect(await card.getByRole('link', { name: /^Download “.+” as CSV$/ }).getAttribute('href')).toMatch(
        /^\/api\/support\/reports\/[a-z-]+\.csv\?from=.+&to=.+&timeZone=Europe%2FAmsterdam$/,
      );
    }
    // the first reply after 20 minutes met its target, those after two hours and a day did not
    const sla = page.getByTestId('chart-sla').getByRole('table');
    expect(await sla.getByRole('row', { name: /^First reply All 2 3 / }).count()).toBe(1);
    expect(await page.getByTestId('figure-csat').locator('.value').textContent()).toBe('100%');
    expect(await page.getByTestId('satisfaction-comments').textContent()).toContain('Refund arrived the same day.');
    // the figures are there as a table too, for screen readers
    const typeTable = page.getByTestId('chart-query-type').getByRole('table');
    expect(await typeTable.getByRole('row').count()).toBe(5); // the header and four query types

    await page.setViewportSize({ width: 1360, height: 2300 });
    await scenario.bd.screenshot(page, 'reports');

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download “Queries by type” as CSV' }).click();
    const file = await download;
    const text = await readFile((await file.path())!, 'utf8');
    expect(text.split('\r\n').slice(0, 2)).toEqual(['queryType,threads', 'DOCUMENTS,2']);
  });

  it('when a filter is chosen, then the report counts only those threads and the address keeps it', async () => {
    const page = await scenario.person('admin@demo.test');
    await page.goto('/admin/reports');
    await page.getByTestId('figure-threads').waitFor(LIVE);
    await page.getByLabel('Query type', { exact: true }).selectOption('PAYMENT');
    await page.waitForURL(/type=PAYMENT/);
    await expect.poll(() => page.getByTestId('figure-threads').locator('.value').textContent(), LIVE).toBe('2');
    await page.getByLabel('Agent', { exact: true }).selectOption('none');
    await expect.poll(() => page.getByTestId('figure-threads').locator('.value').textContent(), LIVE).toBe('0');
    expect(await page.getByTestId('chart-query-type').textContent()).toContain(
      'No threads were raised in this period.',
    );
    await page.reload();
    await expect.poll(() => page.getByLabel('Agent', { exact: true }).inputValue(), LIVE).toBe('none');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => page.getByTestId('figure-threads').locator('.value').textContent(), LIVE).toBe('6');
    await page.getByLabel('Period', { exact: true }).selectOption('custom');
    expect(await page.getByLabel('From', { exact: true }).inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('when a partner goes to the reports address, then the page is not theirs', async () => {
    const page = await scenario.person('partner@acme.test');
    await page.goto('/admin/reports');
    await page.getByText('This area is not for your account').waitFor(LIVE);
  });
});
