/**
 * Blue/green rebuild: a new generation is built from the start of the log beside the live one
 * (which keeps serving), reporting its progress; when it has caught up it gets its indexes, the
 * views swap to it in one transaction, and the old generation's tables are dropped.
 */
import type pg from 'pg';
import { comparePositions, formatPosition, type EventStore } from '../eventstore/port.js';
import type { BatchRunner, ReadBatch } from './batchRunner.js';
import type { GenerationRow, Generations } from './generations.js';
import { tableNamesFor, type Projection } from './projection.js';
import { addToWindow, emptyWindow, eventsPerSecond } from './throughput.js';

export interface RebuildProgress {
  projection: string;
  generation: number;
  processed: number;
  /** The events in the log up to the head seen when the rebuild began; null when the store cannot count them. */
  total: number | null;
  /** Over the last minute (or since the rebuild began, when that is less). */
  eventsPerSecond: number;
  /** 0..1: processed of total, or by log position between the start and that head when there is no total. */
  fraction: number;
  etaSeconds: number | null;
  done: boolean;
}

export interface BlueGreenRebuildOptions {
  pool: pg.Pool;
  eventStore: EventStore;
  generations: Generations;
  batches: BatchRunner;
  /** Connections the indexes are built on at once. */
  rebuildWriters: number;
  clock: () => Date;
}

export class BlueGreenRebuild {
  constructor(private readonly options: BlueGreenRebuildOptions) {}

  /**
   * Blue/green rebuild: a new generation is built from the start of the log while the live
   * one keeps serving; when it has caught up, the views swap to it in one transaction and
   * the old tables are dropped.
   */
  async rebuild(
    projection: Projection,
    onProgress: (p: RebuildProgress) => void | Promise<void> = () => undefined,
  ): Promise<GenerationRow> {
    const { name } = projection;
    const { generations, batches } = this.options;
    await generations.abandonBuilding(projection);
    const created = await generations.create(projection);
    const generation = created.generation;
    if (created.status === 'live') {
      // first generation: nothing was serving; catch up in place
      await this.catchUp(projection, generation, onProgress);
      return (await generations.list(name)).find((g) => g.generation === generation)!;
    }
    await this.catchUp(projection, generation, onProgress);
    await this.createIndexesInParallel(projection.createIndexes(tableNamesFor(generation)));
    // a last pass right before the swap, so the new generation goes live as current as the old
    while (!(await batches.runBatch(projection, generation)).caughtUp);
    const previous = await generations.swap(projection, generation);
    if (previous !== undefined) await generations.drop(projection, previous);
    return (await generations.list(name)).find((g) => g.generation === generation)!;
  }

  /**
   * Fills a generation from the start of the log up to the head seen now. Progress (processed
   * of total, rate, ETA) is written after every batch that lands 250 ms after the last report,
   * and always after the first and the last, before `onProgress` is awaited.
   */
  private async catchUp(
    projection: Projection,
    generation: number,
    onProgress: (p: RebuildProgress) => void | Promise<void>,
  ) {
    const head = await this.options.eventStore.headPosition();
    const total = this.options.eventStore.countEvents ? await this.options.eventStore.countEvents(head) : null;
    await this.options.pool.query(
      `UPDATE projection_generations SET events_total = $3, target_position = $4, updated_at = now()
        WHERE name = $1 AND generation = $2`,
      [projection.name, generation, total, formatPosition(head)],
    );
    const startedAt = performance.now();
    let window = emptyWindow();
    let processed = 0;
    let lastReport: number | undefined;
    const span = Number(head.prepare) + 1;
    let prefetched: Promise<ReadBatch> | undefined;
    for (;;) {
      const { applied, caughtUp, position, next } = await this.options.batches.runBatch(
        projection,
        generation,
        prefetched,
      );
      prefetched = next;
      processed += applied;
      if (applied) window = addToWindow(window, this.options.clock(), applied);
      const elapsed = (performance.now() - startedAt) / 1000;
      const reachedHead = comparePositions(position, head) >= 0;
      const fraction =
        caughtUp || reachedHead
          ? 1
          : total
            ? Math.min(0.999, processed / total)
            : Math.min(0.999, Math.max(0, (Number(position.prepare) + 1) / span));
      const etaSeconds = fraction >= 1 ? 0 : fraction > 0 ? (elapsed / fraction) * (1 - fraction) : null;
      if (caughtUp || lastReport === undefined || performance.now() - lastReport > 250) {
        lastReport = performance.now();
        await this.options.pool.query(
          `UPDATE projection_generations SET progress = $3, eta_seconds = $4 WHERE name = $1 AND generation = $2`,
          [projection.name, generation, fraction, etaSeconds],
        );
        await onProgress({
          projection: projection.name,
          generation,
          processed,
          total,
          eventsPerSecond: eventsPerSecond(window, this.options.clock()),
          fraction,
          etaSeconds,
          done: caughtUp,
        });
      }
      // caught up: at the head we saw, or short of it when that head was a transaction that later rolled back
      if (caughtUp) return;
    }
  }

  /**
   * A rebuilt generation's secondary indexes, each built in one sort after the bulk load, on
   * `rebuildWriters` connections at once, with more sort memory than a session's default (the
   * full-text GIN indexes are most of the time).
   */
  private async createIndexesInParallel(ddl: string): Promise<void> {
    const statements = ddl
      .split(';')
      .map((statement) => statement.trim())
      .filter(Boolean);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < statements.length; i = next++) {
        await this.options.pool.query(`SET LOCAL maintenance_work_mem = '128MB'; ${statements[i]}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.rebuildWriters, statements.length) }, worker));
  }
}
