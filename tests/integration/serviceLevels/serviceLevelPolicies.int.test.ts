import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceLevelsDecider, slaServiceLevelsStreamName, type PolicyInput } from '../../../domain/index.js';
import { handleCommand } from '../../../commands/commandHandler.js';
import { ServiceLevelPolicies } from '../../../commands/serviceLevels/serviceLevelPolicies.js';
import type { EventStore } from '../../../eventstore/port.js';
import { PostgresEventStore } from '../../../eventstore/postgres/postgresEventStore.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/** The command side's copy of the calendars and policies: always as the log has them, in few reads. */
describe('the calendars and policies new threads are matched with', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool, { connectionString: db.url });
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  const admin = { kind: 'staff' as const, id: 'admin-1', name: 'Ada Admin' };
  const save = (command: Parameters<typeof serviceLevelsDecider.decide>[0]) =>
    handleCommand(store, serviceLevelsDecider, slaServiceLevelsStreamName, command, { metadata: {} });
  const targets = { firstResponseMinutes: 60, nextResponseMinutes: null, resolutionMinutes: null };
  const policy = (name: string, calendarId: string): PolicyInput => ({
    name,
    calendarId,
    position: 0,
    match: { queryTypes: [], partnerOrgIds: [] },
    targets: { LOW: targets, MEDIUM: targets, HIGH: targets, URGENT: targets },
    warnBeforeMinutes: 10,
  });

  it('when many queries ask at once, then they share two reads; a change saved just before is always seen', async () => {
    let reads = 0;
    const counting: EventStore = Object.create(store) as EventStore;
    counting.readStream = (...args) => {
      reads++;
      return store.readStream(...args);
    };
    const policies = new ServiceLevelPolicies(counting);
    expect(await policies.match({ queryType: 'OTHER', partnerOrgId: 'acme' })).toBeNull();

    const calendarId = randomUUID();
    const policyId = randomUUID();
    const now = new Date();
    await save({
      type: 'SaveSlaCalendar',
      data: {
        calendarId,
        calendar: {
          name: '24/7',
          timeZone: 'UTC',
          alwaysOpen: true,
          week: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
          holidays: [],
        },
      },
      metadata: { now, author: admin },
    });
    await save({
      type: 'SaveSlaPolicy',
      data: { policyId, policy: policy('First', calendarId) },
      metadata: { now, author: admin },
    });
    reads = 0;
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => policies.match({ queryType: 'OTHER', partnerOrgId: 'acme' })),
    );
    expect(answers.every((a) => a?.policy.name === 'First' && a.policy.version === 1)).toBe(true);
    expect(reads).toBeLessThanOrEqual(2);

    await save({
      type: 'SaveSlaPolicy',
      data: { policyId, policy: policy('Second', calendarId) },
      metadata: { now, author: admin },
    });
    expect(await policies.match({ queryType: 'OTHER', partnerOrgId: 'acme' })).toMatchObject({
      policy: { name: 'Second', version: 2 },
    });
  });
});
