import { describe, expect, it } from 'vitest';
import { freshSlaAlerts } from '../../../web/src/lib/sla';
import type { SlaTarget, ThreadSla } from '../../../web/src/lib/types';

/** Which warnings and breaches the inbox tells the agent of: only those that just happened. */

const now = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (msAgo: number) => new Date(now - msAgo).toISOString();

function target(fields: Partial<SlaTarget>): SlaTarget {
  return {
    metric: 'firstResponse',
    cycle: 0,
    targetSeconds: 3600,
    state: 'running',
    dueAt: iso(-600_000),
    warnAt: iso(60_000),
    remainingSeconds: 600,
    elapsedSeconds: 3000,
    startedAt: iso(3_000_000),
    completedAt: null,
    warned: false,
    breachedAt: null,
    ...fields,
  };
}

const sla = (targets: SlaTarget[]): ThreadSla => ({
  policy: { policyId: 'p', version: 1, name: 'Standard' },
  calendar: { calendarId: 'c', version: 1, name: '24/7', timeZone: 'UTC', alwaysOpen: true },
  appliedAt: iso(3_000_000),
  appliedReason: 'raised',
  asOf: iso(0),
  targets,
});

describe('fresh service-level alerts', () => {
  it('a warning recorded a minute ago is told, once keyed by thread, target and kind', () => {
    expect(freshSlaAlerts('t-1', 'Invoice', sla([target({ warned: true })]), now)).toEqual([
      { key: 't-1:firstResponse:0:warning', kind: 'warning', text: 'First response due soon: Invoice' },
    ]);
  });

  it('a breach just recorded is told; one recorded an hour ago is not (a reply on a late thread)', () => {
    const breached = target({ state: 'breached', warned: true, breachedAt: iso(30_000), dueAt: iso(40_000) });
    expect(freshSlaAlerts('t-1', 'Invoice', sla([breached]), now)).toEqual([
      { key: 't-1:firstResponse:0:breach', kind: 'breach', text: 'First response overdue: Invoice' },
    ]);
    const old = target({ state: 'met', completedAt: iso(0), breachedAt: iso(3_600_000) });
    expect(freshSlaAlerts('t-1', 'Invoice', sla([old]), now)).toEqual([]);
  });

  it('nothing for a clock not warned, and nothing without a policy', () => {
    expect(freshSlaAlerts('t-1', 'Invoice', sla([target({})]), now)).toEqual([]);
    expect(freshSlaAlerts('t-1', 'Invoice', null, now)).toEqual([]);
  });
});
