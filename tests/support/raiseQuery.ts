import { ok } from './testDesk.js';

/** Whoever a test sends requests as: a signed-in client, a live session, a guest. */
export interface Requester {
  request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
}

export type QueryBody = {
  assignmentId: string;
  queryType: string;
  priority: string;
  subject: string;
  body: string;
};

/** The answer to a raised query. */
export interface RaisedQuery {
  threadId: string;
  revision: number;
  position: string;
  status: string;
}

/** A query about a double payment on acme's demo assignment asg-1001. */
export const paymentQuery: QueryBody = {
  assignmentId: 'asg-1001',
  queryType: 'PAYMENT',
  priority: 'HIGH',
  subject: 'Invoice 4411 paid twice',
  body: 'We were charged twice for the Rotterdam audit.',
};

/** A query with this subject and text, on acme's demo assignment asg-1001 (type OTHER, priority LOW) unless `fields` say otherwise. */
export function queryAbout(subject: string, body: string, fields: Partial<QueryBody> = {}): QueryBody {
  return { assignmentId: 'asg-1001', queryType: 'OTHER', priority: 'LOW', subject, body, ...fields };
}

/** `who` raises `query` over HTTP; it must be accepted (201). Answers the new thread. */
export async function raiseQuery(who: Requester, query: object = paymentQuery): Promise<RaisedQuery> {
  return ok(who.request<RaisedQuery>('POST', '/api/support/threads', query));
}
