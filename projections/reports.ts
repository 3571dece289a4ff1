import type { ThreadEvent } from '../domain/index.js';
import { loadRows, upsertRows } from './bulkSql.js';
import type { Projection } from './projection.js';
import {
  alertColumns,
  foldReport,
  reportColumns,
  settleSla,
  spanColumns,
  type AlertRow,
  type ReportRow,
  type SpanRow,
} from './reportRows.js';

/**
 * The reports page's read model: `support_reports` (one row per thread, see reportRows.ts) and
 * `support_report_spans` (each span a thread waited to be resolved, for the backlog over time) and
 * `support_report_sla_alerts` (each warning and breach, with the priority then: the counters).
 * Its own tables, so it is rebuilt blue/green like every projection, and a report over any past
 * period is recomputed from the log.
 */

const threadEventTypes = [
  'QueryRaised',
  'MessagePosted',
  'ThreadAssigned',
  'PriorityChanged',
  'ThreadResolved',
  'ThreadClosed',
  'ThreadReopened',
  'SlaPolicyApplied',
  'SlaWarning',
  'SlaBreached',
  'SatisfactionSurveyOffered',
  'SatisfactionRated',
] as const;

/** A row as read back, in the shape the fold writes (times as ISO text: the fold subtracts them). */
function asStoredRow(row: Record<string, unknown>): ReportRow {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key] = value instanceof Date ? value.toISOString() : value;
  return out as unknown as ReportRow;
}

export const reportsProjection: Projection = {
  name: 'reports',
  version: 1,
  tables: ['support_reports', 'support_report_spans', 'support_report_sla_alerts'],
  eventTypes: threadEventTypes,
  createTables: (t) => `
    CREATE TABLE ${t('support_reports')} (
      thread_id uuid PRIMARY KEY,
      raised_at timestamptz NOT NULL,
      partner_org_id text NOT NULL,
      query_type text NOT NULL,
      priority text NOT NULL,
      assignee_id text,
      assignee_name text,
      status text NOT NULL,
      first_response_at timestamptz,
      first_response_seconds double precision,
      first_response_priority text,
      resolution_at timestamptz,
      resolution_seconds double precision,
      resolution_priority text,
      resolved_at timestamptz,
      closed_at timestamptz,
      spans integer NOT NULL,
      open_since timestamptz,
      sla_clocks jsonb NOT NULL,
      sla_policy_name text,
      first_response_business_seconds double precision,
      resolution_business_seconds double precision,
      sla_first_response text,
      sla_resolution text,
      sla_next_met integer NOT NULL,
      sla_next_missed integer NOT NULL,
      sla_next_breached integer NOT NULL,
      sla_next_open integer NOT NULL,
      sla_warnings integer NOT NULL,
      sla_breaches integer NOT NULL,
      csat_offered integer NOT NULL,
      csat_rating text,
      csat_score integer,
      csat_comment text,
      csat_rated_at timestamptz
    );
    CREATE TABLE ${t('support_report_sla_alerts')} (
      event_id uuid PRIMARY KEY,
      thread_id uuid NOT NULL,
      kind text NOT NULL,
      metric text NOT NULL,
      cycle integer NOT NULL,
      priority text NOT NULL,
      occurred_at timestamptz NOT NULL
    );
    CREATE TABLE ${t('support_report_spans')} (
      thread_id uuid NOT NULL,
      seq integer NOT NULL,
      opened_at timestamptz NOT NULL,
      closed_at timestamptz,
      PRIMARY KEY (thread_id, seq)
    );
  `,
  createIndexes: (t) => `
    CREATE INDEX ON ${t('support_reports')} (raised_at);
    CREATE INDEX ON ${t('support_reports')} (partner_org_id, raised_at);
    CREATE INDEX ON ${t('support_reports')} (query_type, raised_at);
    CREATE INDEX ON ${t('support_reports')} (assignee_id, raised_at);
    CREATE INDEX ON ${t('support_report_spans')} (opened_at);
    CREATE INDEX ON ${t('support_report_spans')} (closed_at) WHERE closed_at IS NOT NULL;
    CREATE INDEX ON ${t('support_report_sla_alerts')} (occurred_at);
  `,
  partitionKey: (e) => (e.event as ThreadEvent).data.threadId,
  async apply(client, events, t) {
    const threadIds = [...new Set(events.map((e) => (e.event as ThreadEvent).data.threadId))];
    const loaded = await loadRows<Record<string, unknown>>(
      client,
      t('support_reports'),
      'thread_id',
      threadIds,
      reportColumns,
    );
    const rows = new Map([...loaded].map(([id, row]) => [id, asStoredRow(row)]));
    const changed = new Map<string, ReportRow>();
    const lastAt = new Map<string, string>();
    const spans = new Map<string, SpanRow>();
    const alerts: AlertRow[] = [];
    for (const { record, event } of events) {
      const e = event as ThreadEvent;
      const id = e.data.threadId;
      const folded = foldReport(changed.get(id) ?? rows.get(id), e, record.id);
      if (!folded) continue;
      changed.set(id, folded.row);
      lastAt.set(id, e.data.occurredAt);
      if (folded.span) spans.set(`${id}:${folded.span.seq}`, folded.span);
      if (folded.alert) alerts.push(folded.alert);
    }
    // the service-level columns once per thread, as of its last event in the batch
    const settled = [...changed].map(([id, row]) => settleSla(row, lastAt.get(id)!));
    await upsertRows(
      client,
      t('support_reports'),
      reportColumns,
      ['thread_id'],
      settled as unknown as Record<string, unknown>[],
    );
    await upsertRows(client, t('support_report_spans'), spanColumns, ['thread_id', 'seq'], [
      ...spans.values(),
    ] as unknown as Record<string, unknown>[]);
    await upsertRows(
      client,
      t('support_report_sla_alerts'),
      alertColumns,
      ['event_id'],
      alerts as unknown as Record<string, unknown>[],
      'nothing',
    );
    // the reports page is read on demand: no live push for its rows
    return { threadIds: [] };
  },
};
