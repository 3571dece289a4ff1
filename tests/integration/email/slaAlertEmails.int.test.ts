import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlaScheduler } from '../../../workers/serviceLevels/slaScheduler.js';
import { committedLogEnd } from '../../support/logEnd.js';
import { setUpSla } from '../../support/serviceLevels.js';
import { ok } from '../../support/testDesk.js';
import { startEmailKit, type EmailKit } from './emailTestKit.js';

/** Warnings and breaches reach the thread's assignee by email, or the support address while nobody is assigned. */
describe('service-level alerts by email', () => {
  let kit: EmailKit;
  beforeAll(async () => {
    kit = await startEmailKit();
  });
  afterAll(async () => kit?.stop());

  async function recordDue(): Promise<number> {
    const scheduler = new SlaScheduler({
      pool: kit.desk.db.pool,
      eventStore: kit.desk.eventStore,
      clock: kit.desk.clock.now,
    });
    let recorded = 0;
    for (let i = 0; i < 50; i++) {
      const end = await committedLogEnd(kit.desk.db.pool);
      while (!(await kit.desk.desk.engine.reached(end, ['serviceLevels']))) await new Promise((r) => setTimeout(r, 20));
      const round = await scheduler.runOnce();
      recorded += round.recorded;
      if (round.looked === 0) return recorded;
    }
    throw new Error('the scheduler never ran dry');
  }

  it('when a first reply falls due, then the assignee is warned and then told it is overdue; an unassigned thread tells the team', async () => {
    await setUpSla(kit.admin, { first: 30, next: null, resolution: null, warn: 10 });
    const assigned = await kit.raise({ subject: 'Assigned and waiting' });
    const unassigned = await kit.raise({ subject: 'Nobody has it' });
    await ok(
      kit.admin.request('POST', `/api/support/threads/${assigned}/assign`, { assigneeId: kit.agent.accountId }),
      200,
    );
    kit.desk.clock.shift(21 * 60_000);
    expect(await recordDue()).toBe(2);
    kit.desk.clock.shift(10 * 60_000);
    expect(await recordDue()).toBe(2);
    await kit.drain(kit.worker());
    const alerts = (await kit.outbox({ threadIds: [assigned, unassigned] })).filter((r) => r.template === 'sla_alert');
    expect(alerts.map((r) => [r.subject, r.recipient, r.audience, r.status]).sort()).toEqual(
      [
        ['Due soon: first reply [A-1001] Assigned and waiting', 'agent@demo.test', 'staff', 'sent'],
        ['Overdue: first reply [A-1001] Assigned and waiting', 'agent@demo.test', 'staff', 'sent'],
        ['Due soon: first reply [A-1001] Nobody has it', 'support@example.com', 'support', 'sent'],
        ['Overdue: first reply [A-1001] Nobody has it', 'support@example.com', 'support', 'sent'],
      ].sort(),
    );
    const overdue = alerts.find((r) => r.subject.startsWith('Overdue') && r.audience === 'staff')!;
    expect(overdue.text).toContain('assigned to you');
    expect(overdue.text).toContain(`/admin/support?thread=${assigned}`);
    // the partner hears nothing of it
    const toPartner = (await kit.outbox({ threadIds: [assigned, unassigned] })).filter((r) => r.audience === 'partner');
    expect(toPartner.every((r) => r.template === 'query_raised_ack')).toBe(true);
  }, 90_000);
});
