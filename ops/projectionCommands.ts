/** `status` and `rebuild`: the projections, the event store and the database. */
import type { Infrastructure } from '../app/infrastructure.js';
import { allProjections } from '../projections/index.js';
import { ProjectionEngine } from '../projections/projectionEngine.js';
import { projectionStatuses } from '../read-api/opsRoutes.js';
import { UsageError, type Command } from './commandLine.js';
import { countOf, formatEta, progressBar } from './progressBar.js';

const rebuildDetail = (progress: number, processed: number, total: number | null, eta: number | null): string =>
  `${(progress * 100).toFixed(0)}%, ${countOf(processed, total)} events, ${formatEta(eta)}`;

export const engineOf = (infra: Infrastructure) =>
  new ProjectionEngine({ pool: infra.pool, eventStore: infra.eventStore, projections: allProjections });

export const projectionCommands: Record<string, Command> = {
  status: {
    summary: 'Projections (position, lag, events/s, rebuilds), the event store and the database',
    usage: 'status [--json]',
    options: { json: { type: 'boolean', description: 'machine-readable output' } },
    async run(infra, values) {
      const statuses = await projectionStatuses(engineOf(infra), infra.eventStore);
      const store = await infra.eventStore.health();
      const report = { eventStore: store, projections: statuses };
      if (values.json) {
        console.log(JSON.stringify(report, null, 2));
        return 0;
      }
      console.log(
        `event store: ${store.adapter} ${store.ok ? 'ok' : `DOWN (${store.detail})`}, head ${store.head ?? '-'}`,
      );
      console.log('projection      gen  status    position              lag      events/s  note');
      for (const s of statuses) {
        const g = s.live;
        console.log(
          `${s.name.padEnd(15)} ${String(g?.generation ?? '-').padEnd(4)} ${(g ? 'live' : 'none').padEnd(9)} ${(g?.position ?? '-').padEnd(21)} ${String(s.lagEvents ?? '-').padEnd(8)} ${String(g?.eventsPerSecond ?? '-').padEnd(9)} ${g?.lastError ? `HALTED: ${g.lastError}` : s.building ? `rebuilding gen ${s.building.generation}: ${rebuildDetail(s.building.progress, s.building.eventsProcessed, s.building.eventsTotal, s.building.etaSeconds)}` : ''}`,
        );
      }
      return statuses.some((s) => !s.live || s.live.lastError) ? 1 : 0;
    },
  },
  rebuild: {
    summary: 'Rebuild a projection blue/green (the live one keeps serving), with progress and ETA',
    usage: `rebuild <projection>   (one of: ${allProjections.map((p) => p.name).join(', ')})`,
    options: {},
    async run(infra, _values, positionals) {
      const name = positionals[0];
      if (!name) throw new UsageError('name the projection to rebuild');
      const engine = engineOf(infra);
      engine.projection(name);
      const bar = progressBar(`rebuild ${name}`);
      const started = performance.now();
      const result = await engine.rebuild(name, (p) =>
        bar.update(
          p.fraction,
          `${countOf(p.processed, p.total)} events, ${Math.round(p.eventsPerSecond).toLocaleString('en-US')}/s, ${formatEta(p.etaSeconds)}`,
        ),
      );
      bar.done(`generation ${result.generation} live in ${((performance.now() - started) / 1000).toFixed(1)}s`);
      return 0;
    },
  },
};
