import {
  evaluateSlaClocks,
  evolveSlaClocks,
  initialSlaClocks,
  nextSlaAlert,
  slaSnapshotKey,
  type SlaClocks,
  type SlaSnapshot,
  type ThreadEvent,
} from '../domain/index.js';
import { loadRows, prepared, upsertRows, type Column } from './bulkSql.js';
import type { Projection } from './projection.js';

/**
 * Service-level clocks per thread (domain/serviceLevel/clocks.ts folded over its events), with
 * the next warning or breach due: what the scheduler waits for (`next_alert_at`, indexed) and what
 * the inbox's "breaching soon" view sorts by (`due_at`). The policies threads were given are kept
 * once each in `sla_snapshots` (a policy version and calendar version never change).
 */

export interface SlaClockRow {
  thread_id: string;
  revision: number;
  status: string;
  priority: string;
  partner_org_id: string;
  assignee_id: string | null;
  assignee_name: string | null;
  snapshot_key: string | null;
  /** The fold's state without its snapshot (that is `snapshot_key`'s). */
  clocks: Omit<SlaClocks, 'snapshot'>;
  /** The running clock due first (breached ones included), for the "breaching soon" view. */
  due_at: string | null;
  next_alert_at: string | null;
  next_alert_kind: string | null;
  next_alert_metric: string | null;
  next_alert_cycle: number | null;
  updated_at: string;
}

const columns: readonly Column[] = [
  ['thread_id', 'uuid'],
  ['revision', 'integer'],
  ['status', 'text'],
  ['priority', 'text'],
  ['partner_org_id', 'text'],
  ['assignee_id', 'text'],
  ['assignee_name', 'text'],
  ['snapshot_key', 'text'],
  ['clocks', 'jsonb'],
  ['due_at', 'timestamptz'],
  ['next_alert_at', 'timestamptz'],
  ['next_alert_kind', 'text'],
  ['next_alert_metric', 'text'],
  ['next_alert_cycle', 'integer'],
  ['updated_at', 'timestamptz'],
];

const eventTypes = [
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
] as const;

/** JSON with keys sorted: jsonb stores keys in its own order, so rows are compared in this form. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** Snapshots by key: immutable, so one cache serves every generation of this process. */
const snapshotCache = new Map<string, SlaSnapshot>();
const SNAPSHOT_CACHE_MAX = 10_000;

function remember(key: string, snapshot: SlaSnapshot): void {
  if (snapshotCache.size >= SNAPSHOT_CACHE_MAX) snapshotCache.delete(snapshotCache.keys().next().value!);
  snapshotCache.set(key, snapshot);
}

/** The snapshots of `keys`, from the cache or the table. */
export async function loadSlaSnapshots(
  query: (text: string, values: unknown[]) => Promise<{ rows: { snapshot_key: string; snapshot: SlaSnapshot }[] }>,
  table: string,
  keys: Iterable<string>,
): Promise<Map<string, SlaSnapshot>> {
  const found = new Map<string, SlaSnapshot>();
  const missing: string[] = [];
  for (const key of new Set(keys)) {
    const cached = snapshotCache.get(key);
    if (cached) found.set(key, cached);
    else missing.push(key);
  }
  if (missing.length) {
    const { rows } = await query(`SELECT snapshot_key, snapshot FROM ${table} WHERE snapshot_key = ANY($1)`, [missing]);
    for (const r of rows) {
      remember(r.snapshot_key, r.snapshot);
      found.set(r.snapshot_key, r.snapshot);
    }
  }
  return found;
}

/** A row's fold state with its snapshot put back. */
export function clocksOfRow(
  row: Pick<SlaClockRow, 'clocks' | 'snapshot_key'>,
  snapshots: ReadonlyMap<string, SlaSnapshot>,
): SlaClocks {
  return { ...row.clocks, snapshot: row.snapshot_key ? (snapshots.get(row.snapshot_key) ?? null) : null };
}

/** The row of `state` after an event at `at`: what is due next is decided as of that moment, the same on every replay. */
function rowOf(
  base: Omit<
    SlaClockRow,
    | 'clocks'
    | 'snapshot_key'
    | 'due_at'
    | 'next_alert_at'
    | 'next_alert_kind'
    | 'next_alert_metric'
    | 'next_alert_cycle'
    | 'status'
    | 'priority'
  >,
  state: SlaClocks,
  at: string,
): SlaClockRow {
  const { snapshot, ...clocks } = state;
  const now = new Date(at);
  const running = evaluateSlaClocks(state, now).filter(
    (t) => t.completedAt === null && t.dueAt !== null && (t.state === 'running' || t.state === 'breached'),
  );
  const dueAt = running.map((t) => t.dueAt!).sort()[0] ?? null;
  const next = nextSlaAlert(state, now);
  return {
    ...base,
    status: state.status,
    priority: state.priority,
    snapshot_key: snapshot ? slaSnapshotKey(snapshot) : null,
    clocks,
    due_at: dueAt,
    next_alert_at: next?.at ?? null,
    next_alert_kind: next?.kind ?? null,
    next_alert_metric: next?.metric ?? null,
    next_alert_cycle: next?.cycle ?? null,
  };
}

export const serviceLevelsProjection: Projection = {
  name: 'serviceLevels',
  version: 1,
  tables: ['sla_clocks', 'sla_snapshots'],
  eventTypes,
  createTables: (t) => `
    CREATE TABLE ${t('sla_clocks')} (
      thread_id uuid PRIMARY KEY,
      revision integer NOT NULL,
      status text NOT NULL,
      priority text NOT NULL,
      partner_org_id text NOT NULL,
      assignee_id text,
      assignee_name text,
      snapshot_key text,
      clocks jsonb NOT NULL,
      due_at timestamptz,
      next_alert_at timestamptz,
      next_alert_kind text,
      next_alert_metric text,
      next_alert_cycle integer,
      updated_at timestamptz NOT NULL
    );
    CREATE TABLE ${t('sla_snapshots')} (
      snapshot_key text PRIMARY KEY,
      snapshot jsonb NOT NULL
    );
  `,
  createIndexes: (t) => `
    CREATE INDEX ON ${t('sla_clocks')} (next_alert_at) WHERE next_alert_at IS NOT NULL;
    CREATE INDEX ON ${t('sla_clocks')} (due_at, thread_id) WHERE due_at IS NOT NULL;
  `,
  partitionKey: (e) => (e.event as ThreadEvent).data.threadId,
  async apply(client, events, t) {
    const threadIds = [...new Set(events.map((e) => (e.event as ThreadEvent).data.threadId))];
    const rows = await loadRows<SlaClockRow>(client, t('sla_clocks'), 'thread_id', threadIds, columns);
    const snapshots = await loadSlaSnapshots(
      (text, values) => client.query(prepared(text, values)),
      t('sla_snapshots'),
      [...rows.values()].flatMap((r) => (r.snapshot_key ? [r.snapshot_key] : [])),
    );
    const states = new Map<
      string,
      {
        base: SlaClockRow | undefined;
        state: SlaClocks;
        assignee: [string | null, string | null];
        revision: number;
        at: string;
      }
    >();
    const newSnapshots = new Map<string, SlaSnapshot>();
    for (const { record, event } of events) {
      const e = event as ThreadEvent;
      const id = e.data.threadId;
      let entry = states.get(id);
      if (!entry) {
        const row = rows.get(id);
        if (!row && e.type !== 'QueryRaised') continue; // never saw it raised: nothing to fold onto
        entry = {
          base: row,
          state: row ? clocksOfRow(row, snapshots) : initialSlaClocks,
          assignee: [row?.assignee_id ?? null, row?.assignee_name ?? null],
          revision: row?.revision ?? -1,
          at: e.data.occurredAt,
        };
        states.set(id, entry);
      }
      entry.state = evolveSlaClocks(entry.state, e);
      entry.revision = record.revision;
      entry.at = e.data.occurredAt;
      if (e.type === 'ThreadAssigned') entry.assignee = [e.data.assigneeId, e.data.assigneeName];
      if (e.type === 'SlaPolicyApplied' && e.data.snapshot) {
        const key = slaSnapshotKey(e.data.snapshot);
        newSnapshots.set(key, e.data.snapshot);
        remember(key, e.data.snapshot);
      }
      if (e.type === 'QueryRaised' && !entry.base) {
        entry.base = {
          thread_id: id,
          partner_org_id: e.data.partnerOrgId,
        } as SlaClockRow;
      }
    }
    const changed: SlaClockRow[] = [];
    const pushed: string[] = [];
    for (const [id, entry] of states) {
      if (!entry.base) continue;
      const next = rowOf(
        {
          thread_id: id,
          revision: entry.revision,
          partner_org_id: entry.base.partner_org_id,
          assignee_id: entry.assignee[0],
          assignee_name: entry.assignee[1],
          updated_at: entry.at,
        },
        entry.state,
        entry.at,
      );
      changed.push(next);
      const before = rows.get(id);
      // staff see a change of the clocks or the policy, not of the row's bookkeeping
      if (
        !before ||
        before.snapshot_key !== next.snapshot_key ||
        canonical(before.clocks) !== canonical(next.clocks) ||
        before.priority !== next.priority
      ) {
        if (next.snapshot_key || before?.snapshot_key) pushed.push(id);
      }
    }
    await upsertRows(
      client,
      t('sla_snapshots'),
      [
        ['snapshot_key', 'text'],
        ['snapshot', 'jsonb'],
      ],
      ['snapshot_key'],
      [...newSnapshots].map(([snapshot_key, snapshot]) => ({ snapshot_key, snapshot })),
      'nothing',
    );
    await upsertRows(client, t('sla_clocks'), columns, ['thread_id'], changed as unknown as Record<string, unknown>[]);
    return { threadIds: pushed };
  },
};
