/**
 * The projection engine's face: what the projector, the ops routes and the CLI use. It puts
 * together the batch runner, the generations and blue/green rebuilds (one file each).
 */
import type pg from 'pg';
import { comparePositions, parsePosition, type EventStore, type Position } from '../eventstore/port.js';
import { BatchRunner, type BatchOutcome, type ReadBatch } from './batchRunner.js';
import { BlueGreenRebuild, type RebuildProgress } from './blueGreenRebuild.js';
import type { KnownCheckpoint } from './checkpoint.js';
import { Generations, type GenerationRow } from './generations.js';
import type { Projection } from './projection.js';
import { eventsPerSecond, windowOf } from './throughput.js';

export { ProjectionHaltedError, type BatchOutcome } from './batchRunner.js';
export type { RebuildProgress } from './blueGreenRebuild.js';
export { CHANGE_LOG_LOCK, PROJECTION_CHANGES_CHANNEL, type ProjectionChange } from './changeLog.js';
export type { KnownCheckpoint } from './checkpoint.js';
export type { GenerationRow } from './generations.js';

export interface EngineOptions {
  pool: pg.Pool;
  eventStore: EventStore;
  projections: readonly Projection[];
  batchSize?: number;
  /** Events per batch while a new generation catches up (nobody reads it yet; bigger batches fold more in memory). */
  rebuildBatchSize?: number;
  /** Connections a rebuild writes a batch on at once, for projections with a partition key. */
  rebuildWriters?: number;
  /** The time that events-per-second windows are kept and read by (the desk's clock). */
  clock?: () => Date;
}

/**
 * Runs projections: each batch's rows and the checkpoint commit together (exactly-once effect
 * across crashes), then a NOTIFY tells the live push what changed. Builds new generations
 * beside the live one and swaps the views atomically when they have caught up.
 */
export class ProjectionEngine {
  readonly pool: pg.Pool;
  readonly eventStore: EventStore;
  readonly projections: readonly Projection[];
  readonly clock: () => Date;
  private readonly batches: BatchRunner;
  private readonly generationStore: Generations;
  private readonly rebuilds: BlueGreenRebuild;

  constructor(options: EngineOptions) {
    this.pool = options.pool;
    this.eventStore = options.eventStore;
    this.projections = options.projections;
    this.clock = options.clock ?? (() => new Date());
    const batchSize = options.batchSize ?? 2000;
    const rebuildWriters = Math.max(1, options.rebuildWriters ?? 2);
    this.batches = new BatchRunner({
      pool: this.pool,
      eventStore: this.eventStore,
      batchSize,
      rebuildBatchSize: Math.max(batchSize, options.rebuildBatchSize ?? 10_000),
      rebuildWriters,
      clock: this.clock,
    });
    this.generationStore = new Generations(this.pool);
    this.rebuilds = new BlueGreenRebuild({
      pool: this.pool,
      eventStore: this.eventStore,
      generations: this.generationStore,
      batches: this.batches,
      rebuildWriters,
      clock: this.clock,
    });
  }

  /** A generation's events per second over the last minute, as of now. */
  eventsPerSecond(row: Pick<GenerationRow, 'rate_seconds' | 'rate_counts' | 'rate_since'>): number {
    return eventsPerSecond(windowOf(row), this.clock());
  }

  projection(name: string): Projection {
    const found = this.projections.find((p) => p.name === name);
    if (!found) {
      throw new Error(`no projection named ${name}; known: ${this.projections.map((p) => p.name).join(', ')}`);
    }
    return found;
  }

  generations(name?: string): Promise<GenerationRow[]> {
    return this.generationStore.list(name);
  }

  liveGeneration(name: string): Promise<GenerationRow | undefined> {
    return this.generationStore.live(name);
  }

  /** Creates a new generation's tables; the first generation of a projection goes live at once (nothing to keep serving). */
  createGeneration(projection: Projection): Promise<GenerationRow> {
    return this.generationStore.create(projection);
  }

  /** Drops a retired generation's tables; waits briefly for readers still on them, retries later otherwise. */
  dropGeneration(projection: Projection, generation: number): Promise<boolean> {
    return this.generationStore.drop(projection, generation);
  }

  /** Processes one batch of a generation (see BatchRunner). */
  runBatch(
    projection: Projection,
    generation: number,
    prefetched?: Promise<ReadBatch>,
    known?: KnownCheckpoint,
  ): Promise<BatchOutcome> {
    return this.batches.runBatch(projection, generation, prefetched, known);
  }

  /** Blue/green rebuild of a projection (see BlueGreenRebuild); rejects for an unknown name. */
  async rebuild(
    name: string,
    onProgress: (p: RebuildProgress) => void | Promise<void> = () => undefined,
  ): Promise<GenerationRow> {
    return this.rebuilds.rebuild(this.projection(name), onProgress);
  }

  /** At start: every projection has a live generation of the current code version, or gets one built. */
  plan(): Promise<{ fresh: Projection[]; outdated: Projection[] }> {
    return this.generationStore.plan(this.projections);
  }

  /** Has every live projection reached this position? (read-your-writes) */
  async reached(position: Position, names: readonly string[] = this.projections.map((p) => p.name)): Promise<boolean> {
    const { rows } = await this.pool.query<{ name: string; position: string }>(
      `SELECT name, position FROM projection_generations WHERE status = 'live' AND name = ANY($1)`,
      [names],
    );
    if (rows.length < names.length) return false;
    return rows.every((r) => comparePositions(parsePosition(r.position), position) >= 0);
  }
}
