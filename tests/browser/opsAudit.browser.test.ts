import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emailDelivered, emailDeliveryFailed, emailStreamName } from '../../domain/index.js';
import { allProjections } from '../../projections/index.js';
import { ProjectionEngine } from '../../projections/projectionEngine.js';
import type { BrowserDesk } from './browserDesk.js';
import { LIVE, startScenario, type Scenario } from './scenario.js';

/**
 * An auditor's timeline with email outcomes in it, and ops watching a rebuild: each in a browser
 * profile of its own, on a desk of this file's own.
 */

let scenario: Scenario;
let bd: BrowserDesk;
const person = (email?: string): Promise<Page> => scenario.person(email);

/** The outcomes of two emails about a thread, appended to its email stream as the email worker does. */
async function emailOutcomes(threadId: string): Promise<void> {
  const facts = {
    threadId,
    recipient: 'partner@acme.test',
    messageId: null,
    attempts: 1,
  };
  const at = new Date();
  for (const event of [
    emailDelivered({ ...facts, emailId: '1'.repeat(64), template: 'query_raised_ack' }, 'dev-1', at),
    emailDeliveryFailed(
      { ...facts, emailId: '2'.repeat(64), template: 'staff_reply', attempts: 3 },
      { errorName: 'validation_error', reason: 'the recipient was refused', permanent: true },
      at,
    ),
  ]) {
    await bd.desk.eventStore.append(
      emailStreamName(threadId),
      [
        {
          id: crypto.randomUUID(),
          type: event.type,
          data: event.data as never,
          metadata: { actor: { type: 'system', id: 'email' }, schemaVersion: 1 },
        },
      ],
      { expected: 'any' },
    );
  }
}

describe('audit timeline and ops rebuild progress in a browser', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    scenario = await startScenario();
    ({ bd } = scenario);
  });

  afterAll(async () => {
    await bd?.stop();
  });

  // every test's own pages: no page error, no CSP violation (taken, so that the next test starts clean)
  afterEach(() => {
    expect(bd.pageErrors.splice(0)).toEqual([]);
  });

  it('the audit timeline highlights exactly one row for a revision and shows email outcomes as such', async () => {
    // thread revisions 0: raised; 1: the internal note; 2: the reply. Email outcomes 0 and 1 of their own stream
    const threadId = await scenario.arrangeThread('Invoice 4480 was paid twice', { note: true, reply: true });
    await emailOutcomes(threadId);
    const auditor = await person('auditor@demo.test');
    await auditor.goto(`/audit/threads/${threadId}`);
    const verification = auditor.getByTestId('verification');
    await verification.waitFor(LIVE);
    expect(await verification.textContent()).toContain('History verified');
    // each stream is its own chain, and says so
    const streams = await auditor.getByTestId('verification-streams').getByRole('listitem').allTextContents();
    expect(streams).toHaveLength(2);
    expect(streams[0]).toMatch(new RegExp(`Verified: thread \\(thread-${threadId}\\), 3 events`));
    expect(streams[1]).toMatch(new RegExp(`Verified: email outcomes \\(threadEmail-${threadId}\\), 2 events`));

    // email outcomes: labelled, with their own stream and revision, and not thread revisions to pick
    const outcomes = auditor.getByTestId('email-outcome');
    expect(await outcomes.count()).toBe(2);
    const texts = await outcomes.allTextContents();
    expect(texts[0]).toMatch(new RegExp(`Email outcome\\s*EmailDelivered\\s*threadEmail-${threadId} #0`));
    expect(texts[0]).toContain('Delivered: Query raised ack to partner@acme.test');
    expect(texts[1]).toMatch(new RegExp(`Email outcome\\s*EmailDeliveryFailed\\s*threadEmail-${threadId} #1`));
    expect(texts[1]).toContain('the recipient was refused');
    expect(await auditor.getByRole('button', { name: /State as of revision \d+: Email/ }).count()).toBe(0);
    await auditor.getByRole('heading', { name: /^Thread history$/ }).waitFor();
    expect(await auditor.getByText(/3 events · 2 email outcomes/).count()).toBe(1);

    // revision 0: one row highlighted, the thread's QueryRaised (the email stream's #0 is not it)
    await auditor.getByRole('button', { name: /State as of revision 0: QueryRaised/ }).click();
    await auditor.getByRole('heading', { name: 'State as of revision 0' }).waitFor();
    const current = auditor.locator('.timeline li[aria-current="step"]');
    expect(await current.count()).toBe(1);
    expect(await current.textContent()).toMatch(/QueryRaised\s*rev 0/);
    await bd.screenshot(auditor, 'audit-email-outcomes');

    // an address anchored at a revision opens that one, again a single row
    await auditor.goto(`/audit/threads/${threadId}#rev-1`);
    await auditor.getByRole('heading', { name: 'State as of revision 1' }).waitFor(LIVE);
    expect(await current.count()).toBe(1);
    expect(await current.getAttribute('id')).toBe('rev-1');
    expect(await current.textContent()).toMatch(/MessagePosted\s*rev 1/);
  });

  it('the ops page shows a rebuild’s progress, processed of total and an ETA, after its first batch', async () => {
    for (let i = 0; i < 3; i++) await scenario.arrangeThread(`Pallets short on delivery ${i}`, { reply: true });
    const { rows } = await bd.desk.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events');
    const total = Number(rows[0]!.n);
    // batches small enough that this small log takes several; the rebuild waits after its first
    const engine = new ProjectionEngine({
      pool: bd.desk.db.pool,
      eventStore: bd.desk.eventStore,
      projections: allProjections,
      batchSize: 5,
      rebuildBatchSize: 5,
    });
    let firstBatch!: () => void;
    const afterFirstBatch = new Promise<void>((resolve) => (firstBatch = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let reports = 0;
    const rebuild = engine.rebuild('threads', async () => {
      if (++reports > 1) return;
      firstBatch();
      await released;
    });
    try {
      await afterFirstBatch;
      const ops = await person('ops@demo.test');
      await ops.goto('/ops');
      await ops.getByRole('heading', { name: 'Operations' }).waitFor();
      const progress = ops.getByTestId('rebuild-progress-threads');
      await progress.waitFor(LIVE);
      expect(await progress.textContent()).toMatch(new RegExp(`5 of ${total} events · [\\d.,]+/s · ETA \\d+s`));
      const bar = ops.getByRole('progressbar', { name: 'Rebuild of threads' });
      expect(Number(await bar.getAttribute('aria-valuenow'))).toBe(Math.round((5 / total) * 100));
      await bd.screenshot(ops, 'ops-rebuild');
      release();
      await rebuild;
      // once live, the row offers a rebuild again
      await ops.getByTestId('projection-threads').getByRole('button', { name: 'Rebuild' }).waitFor(LIVE);
    } finally {
      release();
      await rebuild.catch(() => undefined);
    }
  });
});
