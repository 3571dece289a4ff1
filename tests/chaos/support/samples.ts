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
