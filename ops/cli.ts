import { parseArgs } from 'node:util';
import { AssignmentDirectory } from '../commands/assignmentDirectory/assignmentDirectory.js';
import { ConfigError, loadConfig } from '../platform/config.js';
import { openInfrastructure, type Infrastructure } from '../platform/infrastructure.js';
import { createLogger } from '../platform/logger.js';
import { allProjections } from '../projections/index.js';
import { ProjectionEngine } from '../projections/projectionEngine.js';
import { projectionStatuses } from '../read-api/opsRoutes.js';
import { formatEta, progressBar } from './progressBar.js';
import { seedThreads } from './seed.js';

/**
 * `npm run ops -- <command>`: what ops need at 3 a.m. Each command has --help.
 * It works on the same database the desk uses (DATABASE_URL, or the embedded one).
 */

interface Command {
  summary: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string; description: string }>;
  run(
    infra: Infrastructure,
    values: Record<string, string | boolean | undefined>,
    positionals: string[],
  ): Promise<number>;
}

const engineOf = (infra: Infrastructure) =>
  new ProjectionEngine({ pool: infra.pool, eventStore: infra.eventStore, projections: allProjections });

const commands: Record<string, Command> = {
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
          `${s.name.padEnd(15)} ${String(g?.generation ?? '-').padEnd(4)} ${(g ? 'live' : 'none').padEnd(9)} ${(g?.position ?? '-').padEnd(21)} ${String(s.lagEvents ?? '-').padEnd(8)} ${String(g?.eventsPerSecond ?? '-').padEnd(9)} ${g?.lastError ? `HALTED: ${g.lastError}` : s.building ? `rebuilding gen ${s.building.generation}: ${(s.building.progress * 100).toFixed(0)}%` : ''}`,
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
          `${p.processed.toLocaleString('en-US')} events, ${Math.round(p.eventsPerSecond).toLocaleString('en-US')}/s, ${formatEta(p.etaSeconds)}`,
        ),
      );
      bar.done(`generation ${result.generation} live in ${((performance.now() - started) / 1000).toFixed(1)}s`);
      return 0;
    },
  },
  seed: {
    summary: 'Demo data at any size: threads with messages, through the event log',
    usage: 'seed --threads <n>',
    options: { threads: { type: 'string', description: 'how many threads (default 1000)' } },
    async run(infra, values) {
      const threads = Number(values.threads ?? 1000);
      if (!Number.isSafeInteger(threads) || threads < 1) throw new UsageError('--threads must be a positive integer');
      const directory = new AssignmentDirectory(infra.pool);
      const assignments = await directory.ensureDemoAssignments();
      const bar = progressBar('seed');
      const started = performance.now();
      const events = await seedThreads(infra.eventStore, infra.pool, {
        threads,
        assignments,
        agents: [{ id: 'seed-agent', name: 'Sam Seed' }],
        onProgress: (done, total) =>
          bar.update(done / total, `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} threads`),
      });
      bar.done(`${events.toLocaleString('en-US')} events in ${((performance.now() - started) / 1000).toFixed(1)}s`);
      console.log('projections catch up in the running desk (npm start), or run: npm run ops -- rebuild threads');
      return 0;
    },
  },
};

class UsageError extends Error {}

function help(): string {
  return [
    'usage: npm run ops -- <command> [options]   (npm run ops -- <command> --help for details)',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`),
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`unknown command: ${name}\n\n${help()}`);
    return 2;
  }
  const parsed = parseArgs({
    args: rest,
    options: { ...command.options, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (parsed.values.help) {
    console.log(`usage: npm run ops -- ${command.usage}\n\n${command.summary}`);
    for (const [opt, o] of Object.entries(command.options)) console.log(`  --${opt.padEnd(12)} ${o.description}`);
    return 0;
  }
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const infra = await openInfrastructure({ ...config, LOG_LEVEL: 'warn' }, logger, `support-desk-ops-${name}`);
  try {
    return await command.run(infra, parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
  } finally {
    await infra.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      if (error instanceof UsageError || error instanceof ConfigError) console.error(error.message);
      else console.error(error instanceof Error ? error.message : error);
      process.exit(error instanceof UsageError ? 2 : 1);
    });
}
