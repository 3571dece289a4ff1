import type { Request, Response } from 'express';
import type pg from 'pg';
import type { EventStore } from '../../eventstore/port.js';
import { databaseHealth } from '../database/pool.js';

export interface HealthDependencies {
  pool: pg.Pool;
  eventStore: EventStore;
  startedAt: Date;
}

/** Liveness with details: answers 200 while the process runs, and says what is degraded. */
export function healthz(deps: HealthDependencies) {
  return async (_req: Request, res: Response) => {
    const [database, eventStore] = await Promise.all([databaseHealth(deps.pool), deps.eventStore.health()]);
    const ok = database.ok && eventStore.ok;
    res.status(200).json({
      status: ok ? 'ok' : 'degraded',
      uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
      database,
      eventStore,
    });
  };
}

/** Readiness: 503 until the database and the event store answer. */
export function readyz(deps: HealthDependencies) {
  return async (_req: Request, res: Response) => {
    const [database, eventStore] = await Promise.all([databaseHealth(deps.pool), deps.eventStore.health()]);
    const ready = database.ok && eventStore.ok;
    if (!ready) res.setHeader('Retry-After', '5');
    res.status(ready ? 200 : 503).json({ ready, database: database.ok, eventStore: eventStore.ok });
  };
}
