import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool } from '../platform/database/pool.js';
import { benchPostgres } from './benchPostgres.js';
import { rssSampler } from './procStats.js';
import {
  barChartSvg,
  fmt,
  markdownTable,
  mb,
  metMark,
  ms,
  ratio,
  targetsTable,
  type BenchResult,
  type TargetCheck,
} from './report.js';
import { scale } from './scale.js';

/**
 * `npm run bench`: every benchmark in one go, each in a child process on a fresh database of
 * one Postgres (a new embedded cluster, or the server of DATABASE_URL, which must allow CREATE
 * DATABASE), then docs/benchmarks.md and one SVG chart per benchmark in docs/benchmarks/.
 * BENCH_SCALE=small|full (default full), BENCH_ONLY=append,commands,... to run some.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const docPath = path.join(root, 'docs/benchmarks.md');
const chartDir = path.join(root, 'docs/benchmarks');
const liveScript = path.join(root, 'bench/live.bench.ts');
const minutes = (full: number, small: number) => (scale.name === 'full' ? full : small) * 60_000;

interface Step {
  id: string;
  title: string;
  script: string;
  timeoutMs: number;
  env?: Record<string, string>;
  live?: number;
}

const allSteps: Step[] = [
  { id: 'append', title: 'Append', script: 'bench/eventstore.bench.ts', timeoutMs: minutes(15, 5) },
  { id: 'commands', title: 'Commands over HTTP', script: 'bench/commands.bench.ts', timeoutMs: minutes(15, 6) },
  { id: 'rebuild', title: 'Rebuild', script: 'bench/rebuild.bench.ts', timeoutMs: minutes(45, 8) },
  ...[200, 1000].map((clients) => ({
    id: `live-${clients}`,
    title: `Live push, ${clients} clients`,
    script: 'bench/live.bench.ts',
    timeoutMs: minutes(20, 6),
    live: clients,
    env: {
      BENCH_CLIENTS: String(clients),
      LIVE_BENCH_CLIENTS: String(clients),
      LIVE_BENCH_ITERATIONS: String(scale.liveIterations),
    },
  })),
  { id: 'reads', title: 'Inbox reads', script: 'bench/read.bench.ts', timeoutMs: minutes(60, 8) },
  { id: 'reports', title: 'Reports page queries', script: 'bench/reports.bench.ts', timeoutMs: minutes(30, 6) },
  { id: 'uploads', title: 'Uploads', script: 'bench/uploads.bench.ts', timeoutMs: minutes(10, 5) },
  { id: 'sla', title: 'Service-level scheduler', script: 'bench/sla.bench.ts', timeoutMs: minutes(25, 5) },
];
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const steps = allSteps.filter((s) => !only || only.some((o) => s.id === o || s.id.startsWith(`${o}-`)));

interface StepOutcome {
  step: Step;
  status: 'ok' | 'failed' | 'timeout' | 'not available' | 'not run';
  seconds: number;
  result?: BenchResult;
  stdout: string;
  peakRss?: number;
  load: [number, number];
  error?: string;
  /** Set when the figures are those of an earlier run (the step was not in BENCH_ONLY). */
  carried?: { date: string; scale: string };
}

/**
 * Each benchmark's last good outcome is kept in docs/benchmarks/results/<id>.json, so that a
 * run of some of them (BENCH_ONLY) rewrites docs/benchmarks.md with the others' last figures,
 * marked with the date and scale they were measured at, instead of dropping them.
 */
const resultsDir = path.join(chartDir, 'results');
interface SavedOutcome {
  date: string;
  scale: string;
  seconds: number;
  result?: BenchResult;
  stdout: string;
  peakRss?: number;
  load: [number, number];
}
async function saveOutcome(o: StepOutcome): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  const saved: SavedOutcome = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' '),
    scale: scale.name,
    seconds: Math.round(o.seconds),
    stdout: o.step.live ? o.stdout : '',
    load: o.load,
    ...(o.result ? { result: o.result } : {}),
    ...(o.peakRss ? { peakRss: o.peakRss } : {}),
  };
  await writeFile(path.join(resultsDir, `${o.step.id}.json`), `${JSON.stringify(saved, null, 2)}\n`);
}
function carriedOutcome(step: Step): StepOutcome {
  const file = path.join(resultsDir, `${step.id}.json`);
  if (!existsSync(file))
    return { step, status: 'not run', seconds: 0, stdout: '', load: [0, 0], error: 'not in BENCH_ONLY' };
  const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedOutcome;
  return {
    step,
    status: 'ok',
    seconds: saved.seconds,
    stdout: saved.stdout,
    load: saved.load,
    carried: { date: saved.date, scale: saved.scale },
    ...(saved.result ? { result: saved.result } : {}),
    ...(saved.peakRss ? { peakRss: saved.peakRss } : {}),
  };
}

const started = Date.now();
const elapsed = () => {
  const s = Math.round((Date.now() - started) / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};
const say = (line: string) => process.stderr.write(`\r\x1b[2K${line}\n`);

const server = await benchPostgres();
const admin = createPool(server.url, 2, 'bench-runner');
const { rows: versionRows } = await admin.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
const postgresVersion = versionRows[0]?.v ?? '?';
const workDir = await mkdtemp(path.join(os.tmpdir(), 'support-desk-bench-run-'));
let current: ReturnType<typeof spawn> | undefined;
const stopAll = async () => {
  if (current?.pid) {
    try {
      process.kill(-current.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await admin.end().catch(() => undefined);
  await server.stop().catch(() => undefined);
};
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

function databaseUrl(name: string): string {
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}

async function runStep(step: Step, index: number): Promise<StepOutcome> {
  const label = `${index + 1}/${steps.length} ${step.id}`;
  const load0 = os.loadavg()[0] ?? 0;
  if (step.live && !existsSync(liveScript)) {
    say(`[${label}] bench/live.bench.ts is not there: not available`);
    return { step, status: 'not available', seconds: 0, stdout: '', load: [load0, load0] };
  }
  say(`[${label}] ${step.title} — starting (total ${elapsed()})`);
  const db = `bench_${step.id.replace(/\W/g, '_')}`;
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${db}`);
  const resultFile = path.join(workDir, `${step.id}.json`);
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, step.script)], {
    cwd: root,
    detached: true, // its own process group: a timeout ends the API and client processes it started too
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl(db),
      BENCH_SCALE: scale.name,
      BENCH_RESULT_FILE: resultFile,
      BENCH_STEP: label,
      ...step.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  current = child;
  const rss = step.live ? rssSampler(child.pid!, 200) : undefined;
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, step.timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  current = undefined;
  const peakRss = rss?.stop();
  const seconds = (performance.now() - t0) / 1000;
  await writeFile(path.join(workDir, `${step.id}.out.md`), stdout);
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
  const load: [number, number] = [load0, os.loadavg()[0] ?? 0];
  const base = { step, seconds, stdout, load, ...(peakRss ? { peakRss } : {}) };
  if (timedOut) {
    say(`[${label}] stopped after ${Math.round(seconds)} s (time limit)`);
    return { ...base, status: 'timeout', error: `stopped after the time limit of ${step.timeoutMs / 60_000} min` };
  }
  if (code !== 0) {
    say(`[${label}] failed (exit ${code}); its output is in ${workDir}`);
    return { ...base, status: 'failed', error: `exited with ${code}` };
  }
  const result = step.live
    ? undefined
    : (JSON.parse(await readFile(resultFile, 'utf8').catch(() => 'null')) as BenchResult | null);
  if (!step.live && !result) return { ...base, status: 'failed', error: 'wrote no result' };
  say(`[${label}] done in ${Math.round(seconds)} s`);
  return { ...base, status: 'ok', ...(result ? { result } : {}) };
}

const outcomes: StepOutcome[] = [];
for (const [i, step] of steps.entries()) {
  const outcome = await runStep(step, i);
  if (outcome.status === 'ok') await saveOutcome(outcome);
  outcomes.push(outcome);
}
for (const step of allSteps) if (!steps.includes(step)) outcomes.push(carriedOutcome(step));
await admin.end();
await server.stop();

/* ------------------------------------------------------------------ live */

interface LiveFigures {
  clients: number;
  median: number;
  p99: number;
  table: string;
  peakRss?: number;
}

/** The live benchmark prints markdown; its first table row is command → push at every client. */
function parseLive(o: StepOutcome): LiveFigures | undefined {
  if (o.status !== 'ok' || !o.step.live) return undefined;
  const text = o.stdout.trim();
  const rowLine =
    text.split('\n').find((l) => l.startsWith('|') && /every client/i.test(l)) ??
    text.split('\n').filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l) && !/\|\s*-+:?\s*\|/.test(l))[1];
  const cells = rowLine
    ?.split('|')
    .map((c) => c.trim())
    .filter(Boolean);
  const median = Number(cells?.[1]);
  const p99 = Number(cells?.[2]);
  return {
    clients: o.step.live,
    median,
    p99,
    table: text,
    ...(o.peakRss ? { peakRss: o.peakRss } : {}),
  };
}

const lives = outcomes.map(parseLive).filter((l): l is LiveFigures => l !== undefined);
const liveOutcomes = outcomes.filter((o) => o.step.live);
const live1000 = lives.find((l) => l.clients === 1000);
const liveSection: BenchResult = {
  id: 'live',
  title: 'Live push',
  method:
    'Command-to-push latency: `bench/live.bench.ts` (a partner posts a message over HTTP; the time until the push carrying it reaches each connected websocket client), ' +
    `run as a child process with LIVE_BENCH_CLIENTS=200 and 1000, ${scale.liveIterations} commands each. Its own tables follow, as it printed them; ` +
    'its baseline is the durable one-row commit of this machine, measured in the same run.',
  tables: [],
  targets: [
    live1000 && Number.isFinite(live1000.p99)
      ? {
          name: 'command → push p99 at 1,000 clients',
          value: `${ms(live1000.p99)} ms`,
          target: '< 100 ms',
          met: live1000.p99 < 100,
        }
      : { name: 'command → push p99 at 1,000 clients', value: 'not available', target: '< 100 ms', met: false },
  ],
  ...(lives.length
    ? {
        chart: {
          title: 'Live push: command → push at a client',
          unit: 'ms',
          groups: lives.map((l) => ({
            label: `${fmt(l.clients)} clients`,
            bars: [
              { series: 'median', value: l.median },
              { series: 'p99', value: l.p99 },
            ],
          })),
        },
      }
    : {}),
};

/* ------------------------------------------------------------------ memory */

const commandsResult = outcomes.find((o) => o.step.id === 'commands')?.result;
const rebuildResult = outcomes.find((o) => o.step.id === 'rebuild')?.result;
const idle = commandsResult?.figures?.apiIdleRss;
const memoryRows: string[][] = [];
const memoryBars: { label: string; value: number }[] = [];
const addMemory = (what: string, bytes: number | undefined, how: string) => {
  memoryRows.push([what, bytes ? mb(bytes) : 'not available', bytes && idle ? ratio(bytes, idle) : '', how]);
  if (bytes) memoryBars.push({ label: what, value: bytes / 1048576 });
};
addMemory('API process, idle after start', idle, '/proc/<pid>/status VmRSS of `app/main.ts` before any load');
addMemory(
  'API process, command load (≤ 64 clients)',
  commandsResult?.figures?.apiPeakRss,
  'VmHWM / sampled VmRSS of `app/main.ts` over all command runs',
);
addMemory(
  'rebuild benchmark process, during the rebuild',
  rebuildResult?.figures?.rebuildPeakRss,
  'VmRSS sampled during `engine.rebuild` in the rebuilding process (includes the bench harness)',
);
addMemory(
  'API process, 8 uploads of 25 MB at once',
  outcomes.find((o) => o.step.id === 'uploads')?.result?.figures?.uploadPeakRss,
  'VmRSS of `app/main.ts` sampled every 50 ms while 8 clients upload 25 MB each',
);
for (const l of liveOutcomes)
  addMemory(
    `live bench process, ${fmt(l.step.live ?? 0)} clients`,
    l.peakRss,
    'VmHWM / sampled VmRSS of the `bench/live.bench.ts` process: the API, hub and projector in one (its clients are in a child process)',
  );
const live1000Rss = liveOutcomes.find((o) => o.step.live === 1000)?.peakRss;
const memoryTargets: TargetCheck[] = [
  {
    name: 'API RSS at 1,000 live clients',
    value: live1000Rss ? mb(live1000Rss) : 'not available',
    target: '< 300 MB',
    met: live1000Rss !== undefined && live1000Rss < 300 * 1048576,
  },
  {
    name: 'API RSS under the command load',
    value: commandsResult?.figures?.apiPeakRss ? mb(commandsResult.figures.apiPeakRss) : 'not available',
    target: '< 300 MB',
    met: (commandsResult?.figures?.apiPeakRss ?? Infinity) < 300 * 1048576,
  },
];
const memorySection: BenchResult = {
  id: 'memory',
  title: 'Memory',
  method:
    'Peak resident memory of the processes above, read from /proc (VmHWM is the lifetime peak, start-up included; VmRSS is sampled every 100–200 ms). ' +
    'Baseline: the API process idle right after start, in the same run.',
  tables: [{ columns: ['process', 'peak RSS', '÷ idle API', 'how'], numeric: [1, 2], rows: memoryRows }],
  targets: memoryTargets,
  chart: {
    title: 'Peak RSS',
    unit: 'MB',
    groups: memoryBars.map((b) => ({
      label: b.label.replace(/\(.*\)/, '').slice(0, 22),
      bars: [{ series: 'MB', value: b.value }],
    })),
  },
};

/* ------------------------------------------------------------------ the document */

const sections: { result?: BenchResult; outcome?: StepOutcome[]; title: string; id: string }[] = [
  { id: 'append', title: '1. Append', result: outcomes.find((o) => o.step.id === 'append')?.result },
  { id: 'commands', title: '2. Commands over HTTP', result: commandsResult },
  { id: 'rebuild', title: '3. Rebuild', result: rebuildResult },
  { id: 'live', title: '4. Live push', result: liveSection, outcome: liveOutcomes },
  { id: 'reads', title: '5. Inbox reads', result: outcomes.find((o) => o.step.id === 'reads')?.result },
  { id: 'uploads', title: '6. Uploads', result: outcomes.find((o) => o.step.id === 'uploads')?.result },
  { id: 'sla', title: '7. Service-level scheduler', result: outcomes.find((o) => o.step.id === 'sla')?.result },
  { id: 'reports', title: '8. Reports page queries', result: outcomes.find((o) => o.step.id === 'reports')?.result },
  { id: 'memory', title: '9. Memory', result: memorySection },
];

await mkdir(chartDir, { recursive: true });
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
const lines: string[] = [
  '# Benchmarks',
  '',
  `Generated by \`npm run bench\` on ${date} UTC, scale **${scale.name}** (BENCH_SCALE), in ${elapsed()}` +
    (outcomes.some((o) => o.carried)
      ? ` (${outcomes.filter((o) => o.carried).length} of ${outcomes.length} benchmarks carried from earlier runs: each section says when)`
      : '') +
    `; ${os.cpus().length} cores, ${fmt(os.totalmem() / 1024 ** 3)} GiB, Node ${process.version}, Postgres ${postgresVersion} ` +
    `(${process.env.DATABASE_URL ? 'DATABASE_URL' : 'a fresh embedded cluster, default durable settings'}), one fresh database per benchmark.`,
  '',
  '> **Noisy numbers.** This machine has 2 cores, shared by the benchmark, its baselines and Postgres (and at times by other work): ' +
    `the 1-minute load average was ${outcomes
      .filter((o) => o.status === 'ok')
      .map(
        (o) =>
          `${o.load[0].toFixed(1)}–${o.load[1].toFixed(1)} during ${o.step.id}${o.carried ? ` (${o.carried.date})` : ''}`,
      )
      .join(', ')}. ` +
    'A load average above 2 means processes waited for a core, ours included: absolute figures vary between runs; ' +
    'the ratios to baselines measured in the same run are the figures to compare.',
  '',
  'Every figure stands beside a baseline measured in the same run, on the same server, as a ratio; targets stand beside the figures they judge.',
  '',
  '## Targets',
  '',
];
const allTargets = sections.flatMap((s) => (s.result?.targets ?? []).map((t) => ({ ...t, section: s.title })));
lines.push(
  markdownTable({
    columns: ['benchmark', 'target', 'measured', 'wanted', 'result'],
    rows: allTargets.map((t) => [t.section, t.name, t.value, t.target, metMark(t.met)]),
  }),
  '',
);
for (const o of outcomes.filter((x) => x.status !== 'ok'))
  lines.push(`- ${o.step.title}: **${o.status}**${o.error ? ` (${o.error})` : ''}`);
lines.push('');

for (const s of sections) {
  lines.push(`## ${s.title}`, '');
  const r = s.result;
  const failed = outcomes.find((o) => o.step.id === s.id && o.status !== 'ok');
  if (!r || (s.id !== 'live' && s.id !== 'memory' && failed)) {
    lines.push(
      failed
        ? `Not measured in this run: ${failed.status}${failed.error ? ` (${failed.error})` : ''}.`
        : 'Not measured in this run.',
      '',
    );
    continue;
  }
  const carried = outcomes.filter((o) => (o.step.id === s.id || o.step.id.startsWith(`${s.id}-`)) && o.carried);
  for (const o of carried)
    lines.push(
      `> ${o.step.title}: figures of the run of ${o.carried!.date} UTC (scale ${o.carried!.scale}, load average ${o.load[0].toFixed(1)}–${o.load[1].toFixed(1)}), not rerun this time (BENCH_ONLY).`,
      '',
    );
  lines.push(r.method, '');
  if (r.chart && r.chart.groups.length) {
    await writeFile(path.join(chartDir, `${r.id}.svg`), barChartSvg(r.chart));
    lines.push(`![${r.chart.title}](benchmarks/${r.id}.svg)`, '');
  }
  for (const t of r.tables) lines.push(markdownTable(t), '');
  if (s.id === 'live') {
    if (!s.outcome?.length || s.outcome.every((o) => o.status === 'not available'))
      lines.push('**Not available**: `bench/live.bench.ts` is not in this checkout.', '');
    for (const o of s.outcome ?? []) {
      lines.push(`### ${fmt(o.step.live ?? 0)} clients`, '');
      if (o.status !== 'ok') lines.push(`Not measured: ${o.status}${o.error ? ` (${o.error})` : ''}.`, '');
      else lines.push(o.stdout.trim(), '');
    }
  }
  if (r.targets.length) lines.push(markdownTable(targetsTable(r.targets)), '');
  if (r.findings?.length) {
    lines.push('Evidence gathered in this run:', '');
    for (const f of r.findings) lines.push(f, '');
  }
}

const analysisFile = path.join(root, 'bench/analysis.md');
if (existsSync(analysisFile)) lines.push(readFileSync(analysisFile, 'utf8').trim(), '');
lines.push(
  '## Rerunning',
  '',
  '`npm run bench` (full sizes: 30–60 minutes on this 2-core machine, most of it seeding and projecting 1,000,000 threads and Emmett’s rebuild) or `BENCH_SCALE=small npm run bench` (a few minutes) ' +
    'rewrites this file and the charts. `BENCH_ONLY=append,commands` runs some of them; `DATABASE_URL` points them at another Postgres ' +
    '(the role must be allowed to create databases). Sizes: BENCH_SECONDS (append), BENCH_COMMAND_SECONDS, BENCH_EVENTS (rebuild), ' +
    'BENCH_EMMETT_SECONDS (time limit of Emmett’s rebuild), BENCH_THREADS and BENCH_ITERATIONS (reads), LIVE_BENCH_ITERATIONS. ' +
    'Each benchmark also runs alone (`npx tsx bench/<name>.bench.ts`) and prints its tables.',
  '',
);
// formatted as `npm run lint` (prettier --check) wants it, so that a fresh run can be committed as it is
const prettier = await import('prettier');
const prettierOptions = (await prettier.resolveConfig(docPath)) ?? {};
await writeFile(docPath, await prettier.format(lines.join('\n'), { ...prettierOptions, filepath: docPath }));
if (outcomes.every((o) => o.status !== 'failed' && o.status !== 'timeout'))
  await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
else say(`outputs of the benchmarks that failed: ${workDir}`);

say(`wrote docs/benchmarks.md and docs/benchmarks/*.svg in ${elapsed()}`);
for (const t of allTargets)
  say(`  ${t.met ? 'met   ' : 'MISSED'} ${t.section}: ${t.name} — ${t.value} (wanted ${t.target})`);
