import type { Projection } from '../projections/projection.js';
import {
  ProjectionHaltedError,
  type GenerationRow,
  type KnownCheckpoint,
  type ProjectionEngine,
} from '../projections/projectionEngine.js';
import type { Logger } from '../platform/logger.js';
import { backoffDelay, WORKER_BACKOFF } from '../platform/backoff.js';
import { LogWaker } from './logWaker.js';

export interface RunnerOptions {
  engine: ProjectionEngine;
  logger: Logger;
  /** Fallback poll when no append wakes the runner. */
  idleMs?: number;
  /** A started waker shared with other workers of the process (else the runner makes its own). */
  waker?: LogWaker;
}

/**
 * Keeps every projection's live generation up to date, one loop per projection; builds a
 * new generation (blue/green) for projections whose code version changed. A projection that
 * meets an event it cannot apply stops with the error recorded; the others go on.
 */
export class ProjectorRunner {
  private stopped = false;
  private readonly waker: LogWaker;
  private loops: Promise<void>[] = [];
  private readonly rebuilding = new Set<string>();
  readonly halted = new Map<string, string>();

  private readonly ownsWaker: boolean;

  constructor(private readonly options: RunnerOptions) {
    this.ownsWaker = !options.waker;
    this.waker = options.waker ?? new LogWaker(options.engine.eventStore);
  }

  async start(): Promise<void> {
    const { engine, logger } = this.options;
    const { outdated } = await engine.plan();
    if (this.ownsWaker) await this.waker.start();
    for (const projection of outdated) this.rebuildInBackground(projection);
    this.loops = engine.projections.map((p) => this.loop(p));
    logger.info({ projections: engine.projections.map((p) => `${p.name}@v${p.version}`) }, 'projector running');
  }

  private rebuildInBackground(projection: Projection): void {
    if (this.rebuilding.has(projection.name)) return;
    this.rebuilding.add(projection.name);
    const { engine, logger } = this.options;
    logger.info(
      { projection: projection.name, version: projection.version },
      'code version changed: rebuilding blue/green',
    );
    engine
      .rebuild(projection.name, (p) => {
        if (p.done) logger.info({ ...p }, 'rebuild caught up');
      })
      .then(() => logger.info({ projection: projection.name }, 'rebuild live'))
      .catch((error: unknown) => logger.error({ err: error, projection: projection.name }, 'rebuild failed'))
      .finally(() => this.rebuilding.delete(projection.name));
  }

  private async loop(projection: Projection): Promise<void> {
    const { engine, logger } = this.options;
    const idleMs = this.options.idleMs ?? 1000;
    let failures = 0;
    // the live generation and its checkpoint, kept between batches instead of read before each;
    // a batch that finds them moved (another runner, a blue/green swap) answers no checkpoint
    let live: GenerationRow | undefined;
    let checkpoint: KnownCheckpoint | undefined;
    while (!this.stopped) {
      const mark = this.waker.mark();
      try {
        if (!checkpoint) {
          live = await engine.liveGeneration(projection.name);
          if (!live || live.code_version !== projection.version) {
            live = undefined;
            await this.waker.wait(idleMs, mark);
            continue;
          }
        }
        const outcome = await engine.runBatch(projection, live!.generation, undefined, checkpoint);
        checkpoint = outcome.checkpoint;
        failures = 0;
        if (outcome.caughtUp) await this.waker.wait(idleMs, mark);
      } catch (error) {
        checkpoint = undefined;
        if (error instanceof ProjectionHaltedError) {
          this.halted.set(projection.name, error.message);
          logger.error({ projection: projection.name, err: error }, 'projection halted');
          return;
        }
        failures++;
        const delay = backoffDelay(failures, WORKER_BACKOFF);
        logger.warn({ projection: projection.name, err: error, retryInMs: delay }, 'projection batch failed; retrying');
        // cut short by stop() (or by an append: the store is answering again)
        if (!this.stopped) await this.waker.wait(delay);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ownsWaker) await this.waker.stop();
    else this.waker.wakeAll();
    await Promise.all(this.loops);
  }
}
