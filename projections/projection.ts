import type pg from 'pg';
import type { DomainEvent } from '../domain/index.js';
import type { RecordedEvent } from '../eventstore/port.js';

/** An event as projections see it: parsed (and upcast) domain data beside its log record. */
export interface ProjectedEvent {
  record: RecordedEvent;
  event: DomainEvent;
}

/** Physical name of a logical table in the generation being written. */
export type TableNames = (logical: string) => string;

export interface BatchEffect {
  /** Threads whose rows changed: the live push sends them to whoever may see them. */
  threadIds: string[];
}

/**
 * A read model built from the log. Its rows live in tables of its own per generation, so a
 * new generation can be built beside the live one and swapped in (blue/green).
 */
export interface Projection {
  readonly name: string;
  /** Bump when the rows it writes change meaning: the runner then rebuilds it on start. */
  readonly version: number;
  /** Logical table names; each is served to readers through a view of that name. */
  readonly tables: readonly string[];
  /** Event types it reads; others are skipped without a round trip. */
  readonly eventTypes: readonly string[];
  /** DDL creating this generation's tables (primary keys only). */
  createTables(t: TableNames): string;
  /**
   * DDL creating the secondary indexes reads need. A rebuild creates them after the bulk
   * catch-up (one sort instead of a million index insertions), before going live.
   */
  createIndexes(t: TableNames): string;
  /**
   * Applies one batch, in order, inside the runner's transaction: set-based, a few statements
   * per batch whatever its size, never one round trip per event.
   */
  apply(client: pg.PoolClient, events: ProjectedEvent[], t: TableNames): Promise<BatchEffect>;
  /**
   * Optional: the key whose rows an event touches (its thread, its email), when events of
   * different keys never touch the same rows. A rebuild then writes the keys of a batch on
   * several connections at once, each key's events still in log order.
   */
  partitionKey?(event: ProjectedEvent): string;
}

export const tableNamesFor =
  (generation: number): TableNames =>
  (logical) =>
    `${logical}_g${generation}`;
