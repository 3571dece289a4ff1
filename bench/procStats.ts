import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';

/**
 * Memory and CPU of processes from /proc (Linux), to say where a benchmark's time went on a
 * two-core machine: the Node process, the Postgres server, or the load generator.
 */

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** VmRSS and VmHWM (peak RSS) of a process, in bytes; undefined once it is gone. */
export function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

interface Stat {
  ppid: number;
  /** utime + stime, seconds. */
  own: number;
  /** cutime + cstime: reaped children, seconds. */
  children: number;
}

function statOf(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name is in parentheses and may hold spaces: split after it
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(fields[i - 3] ?? 0);
    return { ppid: n(4), own: (n(14) + n(15)) / CLOCK_TICKS, children: (n(16) + n(17)) / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

/** CPU seconds a process has used (itself, not its children). */
export function cpuSecondsOf(pid: number): number {
  return statOf(pid)?.own ?? 0;
}

/**
 * CPU seconds of a whole Postgres server: the postmaster, its living children (backends,
 * WAL writer, checkpointer) and the children it has reaped. Undefined when the server is
 * not on this machine.
 */
export async function postgresCpu(pool: pg.Pool): Promise<(() => number) | undefined> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const backend = rows[0]?.pid;
  const postmaster = backend ? statOf(backend)?.ppid : undefined;
  if (!postmaster || !readFileSync(`/proc/${postmaster}/cmdline`, 'utf8').includes('postgres')) return undefined;
  return () => {
    const root = statOf(postmaster);
    let total = root ? root.own + root.children : 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const s = statOf(Number(entry));
      if (s && s.ppid === postmaster) total += s.own;
    }
    return total;
  };
}

/**
 * Samples a process's RSS every `everyMs` until stopped; answers the peak. With currentOnly the
 * samples alone count (a window of a longer-lived process), otherwise VmHWM (its lifetime peak) too.
 */
export function rssSampler(pid: number, everyMs = 100, options: { currentOnly?: boolean } = {}) {
  let peak = 0;
  const sample = () => {
    const m = memoryOf(pid);
    if (m) peak = Math.max(peak, m.rss, options.currentOnly ? 0 : m.peak);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    sample,
    stop(): number {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** Where CPU went during an interval: this process, another (the API), and the Postgres server. */
export async function cpuMeter(pool: pg.Pool, otherPid?: number) {
  const pgCpu = await postgresCpu(pool).catch(() => undefined);
  const start = {
    self: process.cpuUsage(),
    other: otherPid ? cpuSecondsOf(otherPid) : 0,
    pg: pgCpu?.() ?? 0,
    wall: performance.now(),
  };
  return () => {
    const self = process.cpuUsage(start.self);
    return {
      wallSeconds: (performance.now() - start.wall) / 1000,
      selfSeconds: (self.user + self.system) / 1e6,
      otherSeconds: otherPid ? cpuSecondsOf(otherPid) - start.other : undefined,
      postgresSeconds: pgCpu ? pgCpu() - start.pg : undefined,
    };
  };
}

export type CpuSplit = ReturnType<Awaited<ReturnType<typeof cpuMeter>>>;

/** "API 1.6 cores, Postgres 0.3 cores, load generator 0.2 cores (2 cores in the machine)". */
export function describeCpu(split: CpuSplit, names: { self: string; other?: string }): string {
  const cores = (s: number | undefined) => (s === undefined ? '?' : (s / split.wallSeconds).toFixed(2));
  const parts = [];
  if (split.otherSeconds !== undefined && names.other) parts.push(`${names.other} ${cores(split.otherSeconds)}`);
  if (split.postgresSeconds !== undefined) parts.push(`Postgres ${cores(split.postgresSeconds)}`);
  parts.push(`${names.self} ${cores(split.selfSeconds)}`);
  return `${parts.join(', ')} cores busy on average over ${split.wallSeconds.toFixed(1)} s`;
}
