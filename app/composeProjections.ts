import type pg from 'pg';
import type { EventStore } from '../eventstore/port.js';
import { allProjections } from '../projections/index.js';
import { ProjectionEngine } from '../projections/projectionEngine.js';
import type { Config } from './config.js';

/** The read side's engine: every projection, with the batch sizes of the config. The API reads its statuses, the projector runs it. */
export function composeProjections(parts: {
  pool: pg.Pool;
  eventStore: EventStore;
  config: Pick<Config, 'PROJECTION_BATCH_SIZE' | 'PROJECTION_REBUILD_BATCH_SIZE' | 'PROJECTION_REBUILD_WRITERS'>;
  clock?: () => Date;
}): ProjectionEngine {
  return new ProjectionEngine({
    pool: parts.pool,
    eventStore: parts.eventStore,
    projections: allProjections,
    batchSize: parts.config.PROJECTION_BATCH_SIZE,
    rebuildBatchSize: parts.config.PROJECTION_REBUILD_BATCH_SIZE,
    rebuildWriters: parts.config.PROJECTION_REBUILD_WRITERS,
    clock: parts.clock ?? (() => new Date()),
  });
}
