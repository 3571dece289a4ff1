import { strongerDeliveryState } from '../domain/email/deliveryState.js';
import type { DeliveryReportState, EmailDeliveryReported } from '../domain/index.js';
import { loadRows, upsertRows, type Column } from './bulkSql.js';
import type { Projection } from './projection.js';

/**
 * What Resend reported about each email (`EmailDeliveryReported`): one row per email with the
 * strongest state so far (sent < delayed < delivered; bounced and complained final), so a report
 * arriving late never moves what the inbox shows backwards. The events keep every report.
 * Beside `email_deliveries` (our own outcome of the send), per thread and per email.
 */

export type EmailDeliveryReportRow = {
  email_id: string;
  /** null: the email handing out an assignment's guest link. */
  thread_id: string | null;
  recipient: string;
  state: DeliveryReportState;
  bounce_type: string | null;
  reason: string | null;
  /** When the state shown was reported to have happened. */
  occurred_at: string;
  /** How many reports arrived (every one is an event). */
  reports: number;
};

const columns: readonly Column[] = [
  ['email_id', 'text'],
  ['thread_id', 'uuid'],
  ['recipient', 'text'],
  ['state', 'text'],
  ['bounce_type', 'text'],
  ['reason', 'text'],
  ['occurred_at', 'timestamptz'],
  ['reports', 'integer'],
];

/** Folds one report onto the row shown so far. */
export function foldDeliveryReport(
  row: EmailDeliveryReportRow | undefined,
  { data }: EmailDeliveryReported,
): EmailDeliveryReportRow {
  const reports = (row?.reports ?? 0) + 1;
  const state = strongerDeliveryState(row?.state ?? null, data.state);
  if (row && state === row.state) return { ...row, reports };
  return {
    email_id: data.emailId,
    thread_id: data.threadId,
    recipient: data.recipient,
    state,
    bounce_type: data.bounceType,
    reason: data.reason,
    occurred_at: data.occurredAt,
    reports,
  };
}

export const emailDeliveryReportsProjection: Projection = {
  name: 'emailDeliveryReports',
  version: 1,
  tables: ['email_delivery_reports'],
  eventTypes: ['EmailDeliveryReported'],
  createTables: (t) => `
    CREATE TABLE ${t('email_delivery_reports')} (
      email_id text PRIMARY KEY,
      thread_id uuid,
      recipient text NOT NULL,
      state text NOT NULL,
      bounce_type text,
      reason text,
      occurred_at timestamptz NOT NULL,
      reports integer NOT NULL
    );
  `,
  createIndexes: (t) => `
    CREATE INDEX ON ${t('email_delivery_reports')} (thread_id) WHERE thread_id IS NOT NULL;
  `,
  partitionKey: (e) => (e.event as EmailDeliveryReported).data.emailId,
  async apply(client, events, t) {
    const reports = events.map((e) => e.event as EmailDeliveryReported);
    const current = await loadRows<EmailDeliveryReportRow>(
      client,
      t('email_delivery_reports'),
      'email_id',
      [...new Set(reports.map((r) => r.data.emailId))],
      columns,
    );
    const changed = new Map<string, EmailDeliveryReportRow>();
    for (const report of reports) {
      const id = report.data.emailId;
      const row = foldDeliveryReport(changed.get(id) ?? current.get(id), report);
      changed.set(id, row);
    }
    const rows = [...changed.values()];
    await upsertRows(client, t('email_delivery_reports'), columns, ['email_id'], rows);
    return { threadIds: [...new Set(rows.flatMap((r) => (r.thread_id ? [r.thread_id] : [])))] };
  },
};
