import type { AnyRoute } from '../../../platform/http/route.js';

/** A valid body per operation (so that a caller who may call it reaches its handler), else {}. */
export const sampleBodies: Record<string, Record<string, unknown>> = {
  raiseQuery: {
    assignmentId: 'asg-1001',
    queryType: 'OTHER',
    priority: 'LOW',
    subject: 'A sample query',
    body: 'hello',
  },
  postMessage: { body: 'a sample message', visibility: 'external' },
  assignThread: { assigneeId: null },
  changePriority: { priority: 'HIGH' },
  issueThreadGuestLink: { recipientEmail: 'guest@example.test', lifetimeSeconds: 3600 },
  issueAssignmentGuestLink: { recipientEmail: 'guest@example.test', lifetimeSeconds: 3600 },
  updateSystemConfig: {
    whatsappNumber: '4915112345678',
    supportEmail: 'support@example.com',
    portalBaseUrl: 'http://127.0.0.1:3000',
    whatsappBubbleEnabled: true,
  },
  upsertAssignment: { reference: 'A-1001', title: 'Warehouse audit, Rotterdam', partnerOrgId: 'acme' },
  reportClientError: { level: 'error', message: 'a sample error', url: 'http://127.0.0.1:3000/portal' },
  saveSlaCalendar: {
    name: 'Sample hours',
    timeZone: 'Europe/Berlin',
    alwaysOpen: false,
    week: { mon: [{ start: '09:00', end: '17:00' }], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
    holidays: [],
  },
  saveSlaPolicy: {
    name: 'Sample policy',
    calendarId: '00000000-0000-4000-8000-000000000000',
    position: 0,
    match: { queryTypes: [], partnerOrgIds: [] },
    targets: Object.fromEntries(
      ['LOW', 'MEDIUM', 'HIGH', 'URGENT'].map((p) => [
        p,
        { firstResponseMinutes: 60, nextResponseMinutes: 60, resolutionMinutes: 480 },
      ]),
    ),
    warnBeforeMinutes: 10,
  },
  reapplySlaToPeriod: { raisedFrom: '2026-01-01T00:00:00.000Z', raisedTo: '2026-01-02T00:00:00.000Z' },
};

export function sampleBody(route: AnyRoute): Record<string, unknown> | undefined {
  if (!route.body) return undefined;
  return sampleBodies[route.operationId] ?? {};
}

/** The keys a route's zod schema declares for a part (body, query, params), when it is an object. */
export function declaredKeys(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape && typeof shape === 'object' ? Object.keys(shape) : [];
}
