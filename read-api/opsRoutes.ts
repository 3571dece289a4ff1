import { z } from 'zod';
import { parsePosition, type EventStore } from '../eventstore/port.js';
import { HttpProblem, problems } from '../platform/http/problem.js';
import { implement, routeContract, type AnyRoute } from '../platform/http/route.js';
import type { Logger } from '../platform/logger.js';
import type { GenerationRow, ProjectionEngine, RebuildProgress } from '../projections/projectionEngine.js';

export interface ProjectionStatus {
  name: string;
  codeVersion: number;
  live: GenerationView | null;
  building: GenerationView | null;
  /** Events in the log after the live generation's position (counted up to 10,000). */
  lagEvents: number | null;
  lagCapped: boolean;
}

interface GenerationView {
  generation: number;
  codeVersion: number;
  status: string;
  position: string;
  eventsProcessed: number;
  /** A rebuild's total (the events up to the head it started from); null when not counted. */
  eventsTotal: number | null;
  /** Over the last minute (or since the generation began, when that is less); 0 when idle. */
  eventsPerSecond: number;
  progress: number;
  etaSeconds: number | null;
  lastError: string | null;
  startedAt: string;
  liveAt: string | null;
  updatedAt: string;
}

const LAG_CAP = 10_000;

const toView = (g: GenerationRow, engine: ProjectionEngine): GenerationView => ({
  generation: g.generation,
  codeVersion: g.code_version,
  status: g.status,
  position: g.position,
  eventsProcessed: Number(g.events_processed),
  eventsTotal: g.events_total === null ? null : Number(g.events_total),
  // two decimals: one event a minute still reads as activity (0.02), a minute without any as 0
  eventsPerSecond: Math.round(engine.eventsPerSecond(g) * 100) / 100,
  progress: g.progress,
  etaSeconds: g.eta_seconds,
  lastError: g.last_error,
  startedAt: g.started_at.toISOString(),
  liveAt: g.live_at?.toISOString() ?? null,
  updatedAt: g.updated_at.toISOString(),
});

/** Projection positions, lag and rebuilds, as ops (and /healthz) see them. */
export async function projectionStatuses(
  engine: ProjectionEngine,
  eventStore: EventStore,
): Promise<ProjectionStatus[]> {
  const rows = await engine.generations();
  return Promise.all(
    engine.projections.map(async (p) => {
      const mine = rows.filter((r) => r.name === p.name);
      const live = mine.find((r) => r.status === 'live');
      const building = mine.filter((r) => r.status === 'building').at(-1);
      let lagEvents: number | null = null;
      if (live) {
        const behind = await eventStore.readAll({ after: parsePosition(live.position), limit: LAG_CAP });
        lagEvents = behind.length;
      }
      return {
        name: p.name,
        codeVersion: p.version,
        live: live ? toView(live, engine) : null,
        building: building ? toView(building, engine) : null,
        lagEvents,
        lagCapped: lagEvents === LAG_CAP,
      };
    }),
  );
}

const generationSchema = z.object({
  generation: z.number(),
  codeVersion: z.number(),
  status: z.string(),
  position: z.string(),
  eventsProcessed: z.number(),
  eventsTotal: z.number().nullable().meta({
    description: 'A rebuild’s total: the events in the log up to the head it started from (null: not counted)',
  }),
  eventsPerSecond: z.number().meta({
    description: 'Events processed per second over the last minute (or since the generation began); 0 when idle',
  }),
  progress: z.number().meta({ description: '0..1; a rebuild shows it from its first batch on' }),
  etaSeconds: z
    .number()
    .nullable()
    .meta({ description: 'Seconds until a rebuild has caught up; null before its first batch' }),
  lastError: z.string().nullable(),
  startedAt: z.string(),
  liveAt: z.string().nullable(),
  updatedAt: z.string(),
});

const statusSchema = z
  .object({
    name: z.string(),
    codeVersion: z.number(),
    live: generationSchema.nullable(),
    building: generationSchema.nullable(),
    lagEvents: z.number().nullable(),
    lagCapped: z.boolean(),
  })
  .meta({ id: 'ProjectionStatus' });

/** Rebuilds started from the API run in this process; their progress is also written to the database. */
export class RebuildTracker {
  private readonly running = new Map<string, RebuildProgress>();
  constructor(
    private readonly engine: ProjectionEngine,
    private readonly logger: Logger,
  ) {}

  start(name: string): RebuildProgress {
    this.engine.projection(name); // throws for an unknown name
    if (this.running.has(name)) throw problems.conflict('rebuild_running', { projection: name });
    const initial: RebuildProgress = {
      projection: name,
      generation: 0,
      processed: 0,
      total: null,
      eventsPerSecond: 0,
      fraction: 0,
      etaSeconds: null,
      done: false,
    };
    this.running.set(name, initial);
    this.engine
      .rebuild(name, (p) => void this.running.set(name, p))
      .then((g) => this.logger.info({ projection: name, generation: g.generation }, 'rebuild live'))
      .catch((error: unknown) => this.logger.error({ err: error, projection: name }, 'rebuild failed'))
      .finally(() => this.running.delete(name));
    return initial;
  }

  get(name: string): RebuildProgress | undefined {
    return this.running.get(name);
  }
}

export const listProjections = routeContract({
  method: 'get',
  path: '/api/ops/projections',
  operationId: 'listProjections',
  summary: 'Projections: live generation, position, lag, events per second, and any rebuild in progress',
  tags: ['Ops'],
  access: ['ops', 'admin'],
  response: { status: 200, description: 'Every projection', schema: z.object({ items: z.array(statusSchema) }) },
});

export const rebuildProjection = routeContract({
  method: 'post',
  path: '/api/ops/projections/:name/rebuild',
  operationId: 'rebuildProjection',
  summary: 'Rebuild a projection blue/green: the live one keeps serving until the new one has caught up',
  description: 'Answers at once; follow the progress with GET /api/ops/projections.',
  tags: ['Ops'],
  access: ['ops', 'admin'],
  params: z.object({ name: z.string().max(100) }),
  response: {
    status: 202,
    description: 'Started',
    schema: z.object({ projection: z.string(), started: z.literal(true) }),
  },
  errors: [404, 409],
});

export function opsRoutes(deps: {
  engine: ProjectionEngine;
  eventStore: EventStore;
  rebuilds: RebuildTracker;
}): AnyRoute[] {
  const list = implement(listProjections, {
    async handle() {
      return { body: { items: await projectionStatuses(deps.engine, deps.eventStore) } };
    },
  });

  const rebuild = implement(rebuildProjection, {
    async handle(ctx) {
      try {
        deps.rebuilds.start(ctx.params.name);
      } catch (error) {
        if (error instanceof HttpProblem) throw error;
        throw problems.notFound(`There is no read model named ${ctx.params.name}.`);
      }
      return {
        status: 202,
        body: { projection: ctx.params.name, started: true as const },
        headers: { Location: '/api/ops/projections' },
      };
    },
  });
  return [list, rebuild];
}
