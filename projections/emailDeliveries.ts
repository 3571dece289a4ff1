import type { EmailEvent } from '../domain/index.js';
import { upsertRows, type Column } from './bulkSql.js';
import type { Projection } from './projection.js';

/**
 * The email delivery log: one row per email (its latest outcome), findable per thread and per
 * message — what the inbox shows beside each message ("emailed to pat@…, delivered"). Built from
 * EmailDelivered and EmailDeliveryFailed only: emails still in the outbox are not here (the
 * ops queue shows those). The email handing out an assignment's guest link belongs to no thread
 * and is not in it either (the ops queue and its guestLinkEmail-<linkId> stream show it).
 */

export type EmailDeliveryRow = {
  email_id: string;
  thread_id: string;
  message_id: string | null;
  template: string;
  recipient: string;
  /** delivered | failed (refused for good) | dead_lettered (every attempt failed) */
  status: 'delivered' | 'failed' | 'dead_lettered';
  provider_id: string | null;
  attempts: number;
  error_name: string | null;
  last_error: string | null;
  occurred_at: string;
};

const columns: readonly Column[] = [
  ['email_id', 'text'],
  ['thread_id', 'uuid'],
  ['message_id', 'uuid'],
  ['template', 'text'],
  ['recipient', 'text'],
  ['status', 'text'],
  ['provider_id', 'text'],
  ['attempts', 'integer'],
  ['error_name', 'text'],
  ['last_error', 'text'],
  ['occurred_at', 'timestamptz'],
];

/** The row of an outcome, or undefined for an email about no thread. */
export function deliveryRowOf(event: EmailEvent): EmailDeliveryRow | undefined {
  const d = event.data;
  if (d.threadId === null) return undefined;
  const common = {
    email_id: d.emailId,
    thread_id: d.threadId,
    message_id: d.messageId,
    template: d.template,
    recipient: d.recipient,
    attempts: d.attempts,
    occurred_at: d.occurredAt,
  };
  switch (event.type) {
    case 'EmailDelivered':
      return { ...common, status: 'delivered', provider_id: event.data.providerId, error_name: null, last_error: null };
    case 'EmailDeliveryFailed':
      return {
        ...common,
        status: event.data.permanent ? 'failed' : 'dead_lettered',
        provider_id: event.data.providerId,
        error_name: event.data.errorName,
        last_error: event.data.reason,
      };
  }
}

export const emailDeliveriesProjection: Projection = {
  name: 'emailDeliveries',
  version: 1,
  tables: ['email_deliveries'],
  eventTypes: ['EmailDelivered', 'EmailDeliveryFailed'],
  createTables: (t) => `
    CREATE TABLE ${t('email_deliveries')} (
      email_id text PRIMARY KEY,
      thread_id uuid NOT NULL,
      message_id uuid,
      template text NOT NULL,
      recipient text NOT NULL,
      status text NOT NULL,
      provider_id text,
      attempts integer NOT NULL,
      error_name text,
      last_error text,
      occurred_at timestamptz NOT NULL
    );
  `,
  createIndexes: (t) => `
    CREATE INDEX ON ${t('email_deliveries')} (thread_id, occurred_at);
    CREATE INDEX ON ${t('email_deliveries')} (message_id) WHERE message_id IS NOT NULL;
  `,
  partitionKey: (e) => (e.event as EmailEvent).data.emailId,
  async apply(client, events, t) {
    // The log's order decides: a later outcome of the same email (after an ops retry) replaces the earlier.
    const latest = new Map<string, EmailDeliveryRow>();
    for (const { event } of events) {
      const row = deliveryRowOf(event as EmailEvent);
      if (row) latest.set(row.email_id, row);
    }
    const rows = [...latest.values()];
    await upsertRows(client, t('email_deliveries'), columns, ['email_id'], rows);
    return { threadIds: [...new Set(rows.map((r) => r.thread_id))] };
  },
};
