import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What a V8 .cpuprofile says, folded into the few lines a reader needs. */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const dirs = ['domain', 'eventstore', 'commands', 'projections', 'read-api', 'workers', 'platform', 'bench', 'ops'];
  for (const d of dirs) if (url.includes(`/${d}/`)) return `${d}/ (ours)`;
  return url.replace(/^file:\/\//, '');
}

const root = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')).href;

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  return url.startsWith(root) ? url.slice(root.length + 1) : url;
}

export interface ProfileSummary {
  seconds: number;
  /** Share of the window the process was idle (waiting on I/O: the database, the network). */
  idle: number;
  byPackage: { name: string; share: number }[];
  topFunctions: { name: string; where: string; share: number }[];
}

/**
 * Self time by package and by function over the samples after `skipSeconds` (start-up and
 * compilation are not what is being measured); shares are of the busy (non-idle) time.
 */
export function summariseProfile(
  profile: CpuProfile,
  options: { skipSeconds?: number; top?: number } = {},
): ProfileSummary {
  const hitsById = new Map<number, number>();
  let windowMicros = 0;
  if (profile.samples && profile.timeDeltas) {
    let t = 0;
    const skip = (options.skipSeconds ?? 0) * 1e6;
    for (let i = 0; i < profile.samples.length; i++) {
      const delta = profile.timeDeltas[i] ?? 0;
      t += delta;
      if (t < skip) continue;
      windowMicros += delta;
      const id = profile.samples[i]!;
      hitsById.set(id, (hitsById.get(id) ?? 0) + 1);
    }
  } else {
    for (const n of profile.nodes) hitsById.set(n.id, n.hitCount ?? 0);
    windowMicros = profile.endTime - profile.startTime;
  }
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, { name: string; where: string; hits: number }>();
  let idleHits = 0;
  let allHits = 0;
  for (const n of profile.nodes) {
    const hits = hitsById.get(n.id) ?? 0;
    if (!hits) continue;
    allHits += hits;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') {
      idleHits += hits;
      continue;
    }
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
    // our TypeScript runs transpiled by tsx: its line numbers are not the source's, so the file alone
    const where = url ? (url.endsWith('.ts') ? shortUrl(url) : `${shortUrl(url)}:${lineNumber + 1}`) : '';
    const key = `${functionName}@${url}:${lineNumber}`;
    const entry = byFunction.get(key) ?? { name: functionName || '(anonymous)', where, hits: 0 };
    entry.hits += hits;
    byFunction.set(key, entry);
  }
  const busy = allHits - idleHits || 1;
  return {
    seconds: windowMicros / 1e6,
    idle: allHits ? idleHits / allHits : 0,
    byPackage: [...byPackage].map(([name, hits]) => ({ name, share: hits / busy })).sort((a, b) => b.share - a.share),
    topFunctions: [...byFunction.values()]
      .map((f) => ({ name: f.name, where: f.where, share: f.hits / busy }))
      .sort((a, b) => b.share - a.share)
      .slice(0, options.top ?? 15),
  };
}

/** Reads the largest .cpuprofile in a folder: the main thread's (tsx's loader thread writes one too). */
export async function readProfile(dir: string): Promise<CpuProfile | undefined> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const sized = await Promise.all(files.map(async (f) => ({ f, size: (await stat(path.join(dir, f))).size })));
  const largest = sized.sort((a, b) => b.size - a.size)[0];
  return largest ? (JSON.parse(await readFile(path.join(dir, largest.f), 'utf8')) as CpuProfile) : undefined;
}

export function profileMarkdown(summary: ProfileSummary, title: string): string {
  const pct = (s: number) => `${(s * 100).toFixed(1)}%`;
  const packages = summary.byPackage
    .slice(0, 10)
    .map((p) => `${p.name} ${pct(p.share)}`)
    .join(', ');
  const rows = summary.topFunctions.map((f) => `| ${f.name.replaceAll('|', '\\|')} | ${f.where} | ${pct(f.share)} |`);
  return [
    `${title}: ${summary.seconds.toFixed(0)} s of samples, idle ${pct(summary.idle)} of them. ` +
      `Busy (non-idle) self time by package: ${packages}.`,
    '',
    '| function (self time) | where | share |',
    '|---|---|---:|',
    ...rows,
  ].join('\n');
}
