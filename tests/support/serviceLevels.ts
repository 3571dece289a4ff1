import { randomUUID } from 'node:crypto';
import type { Requester } from './raiseQuery.js';
import { ok } from './testDesk.js';

const closedWeek = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };

/** An admin makes a 24/7 calendar and one policy with these targets (minutes) for every priority; answers their ids. */
export async function setUpSla(
  admin: Requester,
  targets: { first: number | null; next: number | null; resolution: number | null; warn: number },
  match: { queryTypes?: string[]; partnerOrgIds?: string[] } = {},
): Promise<{ calendarId: string; policyId: string }> {
  const calendarId = randomUUID();
  const policyId = randomUUID();
  await ok(
    admin.request('PUT', `/api/support/sla/calendars/${calendarId}`, {
      name: 'Around the clock',
      timeZone: 'UTC',
      alwaysOpen: true,
      week: closedWeek,
      holidays: [],
    }),
    200,
  );
  const t = {
    firstResponseMinutes: targets.first,
    nextResponseMinutes: targets.next,
    resolutionMinutes: targets.resolution,
  };
  await ok(
    admin.request('PUT', `/api/support/sla/policies/${policyId}`, {
      name: 'Test policy',
      calendarId,
      position: 0,
      match: { queryTypes: match.queryTypes ?? [], partnerOrgIds: match.partnerOrgIds ?? [] },
      targets: { LOW: t, MEDIUM: t, HIGH: t, URGENT: t },
      warnBeforeMinutes: targets.warn,
    }),
    200,
  );
  return { calendarId, policyId };
}
