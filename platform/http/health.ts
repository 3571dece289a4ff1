import type { Request, Response } from 'express';
import type pg from 'pg';
import type { EventStore } from '../../eventstore/port.js';
import { databaseHealth } from '../database/pool.js';

export interface HealthSection {
  ok: boolean;
  [detail: string]: unknown;
}

export interface HealthDependencies {
  pool: pg.Pool;
  eventStore: EventStore;
  startedAt: Date;
  /** Further sections (projections, email queue, live clients), each saying whether it is ok. */
  sections?: Record<string, () => Promise<HealthSection>>;
}

async function gather(deps: HealthDependencies) {
  const [database, eventStore] = await Promise.all([databaseHealth(deps.pool), deps.eventStore.health()]);
  const extra: Record<string, HealthSection> = {};
  if (database.ok) {
    await Promise.all(
      Object.entries(deps.sections ?? {}).map(async ([name, probe]) => {
        extra[name] = await probe().catch((error: unknown) => ({ ok: false, detail: (error as Error).message }));
      }),
    );
  }
  return { database, eventStore, extra };
}

/** Liveness with details: 200 while the process runs; `status` says what is degraded. */
export function healthz(deps: HealthDependencies) {
  return async (_req: Request, res: Response) => {
    const { database, eventStore, extra } = await gather(deps);
    const ok = database.ok && eventStore.ok && Object.values(extra).every((s) => s.ok);
    res.status(200).json({
      status: ok ? 'ok' : 'degraded',
      uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
      database,
      eventStore,
      ...extra,
    });
  };
}

/** Readiness: 503 (with Retry-After) until the database, the event store and every section are ok. */
export function readyz(deps: HealthDependencies) {
  return async (_req: Request, res: Response) => {
    const { database, eventStore, extra } = await gather(deps);
    const failing = [
      ...(database.ok ? [] : ['database']),
      ...(eventStore.ok ? [] : ['eventStore']),
      ...Object.entries(extra)
        .filter(([, s]) => !s.ok)
        .map(([name]) => name),
    ];
    const ready = failing.length === 0;
    if (!ready) res.setHeader('Retry-After', '5');
    res.status(ready ? 200 : 503).json({ ready, failing });
  };
}
