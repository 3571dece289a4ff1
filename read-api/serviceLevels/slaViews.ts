import type pg from 'pg';
import { z } from 'zod';
import { evaluateSlaClocks, slaHeadline, slaMetrics, type SlaHeadline } from '../../domain/index.js';
import { clocksOfRow, loadSlaSnapshots, type SlaClockRow } from '../../projections/serviceLevels.js';

/** What staff see of a thread's service levels (partners and guests never see any of it). */

const slaStateSchema = z.enum(['running', 'paused', 'breached', 'met', 'missed']);
const slaMetricSchema = z.enum(slaMetrics);

export const slaHeadlineView = z
  .object({
    metric: slaMetricSchema,
    cycle: z.number().int(),
    state: slaStateSchema,
    dueAt: z.string().nullable(),
    warnAt: z.string().nullable(),
    remainingSeconds: z.number(),
    targetSeconds: z.number(),
  })
  .meta({
    id: 'SlaHeadline',
    description: 'The clock an inbox row shows: the running one due first, else a paused one',
  });

export const slaTargetView = z
  .object({
    metric: slaMetricSchema,
    cycle: z.number().int(),
    targetSeconds: z.number(),
    state: slaStateSchema,
    dueAt: z.string().nullable(),
    warnAt: z.string().nullable(),
    remainingSeconds: z.number().meta({ description: 'Business seconds left at asOf (negative once past due)' }),
    elapsedSeconds: z.number(),
    startedAt: z.string(),
    completedAt: z.string().nullable(),
    warned: z.boolean(),
    breachedAt: z.string().nullable(),
  })
  .meta({ id: 'SlaTarget' });

export const threadSlaView = z
  .object({
    policy: z.object({ policyId: z.string(), version: z.number().int(), name: z.string() }),
    calendar: z.object({
      calendarId: z.string(),
      version: z.number().int(),
      name: z.string(),
      timeZone: z.string(),
      alwaysOpen: z.boolean(),
    }),
    appliedAt: z.string(),
    appliedReason: z.enum(['raised', 'reapplied']),
    asOf: z.string(),
    targets: z.array(slaTargetView),
  })
  .meta({ id: 'ThreadSla' });

export type ThreadSlaView = z.infer<typeof threadSlaView>;

export interface ThreadSlaViews {
  detail: ThreadSlaView | null;
  headline: SlaHeadline | null;
}

/** The service levels of `threadIds` as of `now`, from the serviceLevels read model (threads without a policy are absent). */
export async function loadThreadSla(
  pool: pg.Pool | pg.PoolClient,
  threadIds: readonly string[],
  now: Date,
): Promise<Map<string, ThreadSlaViews>> {
  const out = new Map<string, ThreadSlaViews>();
  if (threadIds.length === 0) return out;
  const { rows } = await pool.query<Pick<SlaClockRow, 'thread_id' | 'clocks' | 'snapshot_key'>>(
    'SELECT thread_id, clocks, snapshot_key FROM sla_clocks WHERE thread_id = ANY($1::uuid[]) AND snapshot_key IS NOT NULL',
    [threadIds],
  );
  if (rows.length === 0) return out;
  const snapshots = await loadSlaSnapshots(
    (text, values) => pool.query(text, values),
    'sla_snapshots',
    rows.map((r) => r.snapshot_key!),
  );
  for (const row of rows) {
    const state = clocksOfRow(row, snapshots);
    const snapshot = state.snapshot;
    if (!snapshot) continue;
    const targets = evaluateSlaClocks(state, now);
    const { calendar, policy } = snapshot;
    out.set(String(row.thread_id), {
      headline: slaHeadline(targets),
      detail: {
        policy: { policyId: policy.policyId, version: policy.version, name: policy.name },
        calendar: {
          calendarId: calendar.calendarId,
          version: calendar.version,
          name: calendar.name,
          timeZone: calendar.timeZone,
          alwaysOpen: calendar.alwaysOpen,
        },
        appliedAt: state.appliedAt ?? now.toISOString(),
        appliedReason: state.appliedReason ?? 'raised',
        asOf: now.toISOString(),
        targets,
      },
    });
  }
  return out;
}
