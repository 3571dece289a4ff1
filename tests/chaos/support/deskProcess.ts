import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../support/freePort.js';

/** The repository root: children run `node --import tsx app/main.ts <role>` from here. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export type DeskRole = 'api' | 'projector' | 'email';

export const CHAOS_SEAL_KEY = 'chaos-seal-key-that-is-long-enough-0123456789';
export const CHAOS_JWT_SECRET = 'chaos-host-platform-secret-of-32-chars!';

export interface DeskProcessOptions {
  role: DeskRole;
  databaseUrl: string;
  /** Extra environment (RESEND_BASE_URL, LOG_LEVEL, …). */
  env?: Record<string, string>;
  /** Only for the api role; a free one is picked when absent. */
  port?: number;
  /** The script to run instead of app/main.ts (relative to the repository root). */
  entry?: string;
  /** Keep this many characters of stdout + stderr (default 2 MB); older output is dropped. */
  outputLimit?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Printed {
  seen: Promise<void>;
  cancel(): void;
}

/** Resolves once `marker` appears in what `child` prints (stdout or stderr), even split across chunks. */
function printed(child: ChildProcess, marker: string): Printed {
  const streams = [child.stdout!, child.stderr!];
  const listeners: ((chunk: string) => void)[] = [];
  let found: () => void = () => undefined;
  const seen = new Promise<void>((resolve) => (found = resolve));
  const cancel = () => streams.forEach((s, i) => s.off('data', listeners[i]!));
  for (const stream of streams) {
    let tail = '';
    const listener = (chunk: string) => {
      const text = tail + chunk;
      if (text.includes(marker)) {
        cancel();
        found();
      } else tail = text.slice(-(marker.length - 1));
    };
    listeners.push(listener);
    stream.on('data', listener);
  }
  return { seen, cancel };
}

/**
 * One role of the desk as its own OS process, exactly as deployed (`app/main.ts <role>`):
 * it can be SIGKILLed at any moment and started again on the same port and database.
 */
export class DeskProcess {
  readonly role: DeskRole;
  readonly port: number;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  private output = '';
  /** Every start and every kill, for the figures. */
  starts = 0;
  kills = 0;
  /** The longest a start took until the process was up (a figure, never asserted). */
  slowestStartMs = 0;
  /** Characters printed over all starts, kept or not (a figure: more than `outputLimit` is normal). */
  printedChars = 0;
  private disposed = false;

  private constructor(
    private readonly options: DeskProcessOptions,
    port: number,
  ) {
    this.role = options.role;
    this.port = port;
  }

  static async create(options: DeskProcessOptions): Promise<DeskProcess> {
    const port = options.role === 'api' ? (options.port ?? (await freePort())) : 0;
    return new DeskProcess(options, port);
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process printed so far (stdout and stderr interleaved). */
  get logs(): string {
    return this.output;
  }

  clearLogs(): void {
    this.output = '';
  }

  /**
   * Starts the process; resolves once it is up (the api role: /healthz answers 200; the projector
   * and the email worker: they logged that they run). Refused after dispose().
   */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.disposed) throw new Error(`the ${this.role} process was disposed: it is not started again`);
    if (this.running) return;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: this.options.databaseUrl,
      DATABASE_POOL_SIZE: '10',
      SEED_DEMO: 'false',
      AUDIT_SEAL_KEY: CHAOS_SEAL_KEY,
      JWT_SECRET: CHAOS_JWT_SECRET,
      EMAIL_POLL_MS: '100',
      HOST: '127.0.0.1',
      ...(this.role === 'api' ? { PORT: String(this.port) } : {}),
      ...this.options.env,
    };
    const entry = this.options.entry ?? 'app/main.ts';
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', entry, this.role], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const limit = this.options.outputLimit ?? 2_000_000;
    const keep = (chunk: string) => {
      this.printedChars += chunk.length;
      this.output += chunk;
      if (this.output.length > limit) this.output = this.output.slice(-limit);
    };
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.starts++;
    // the marker is looked for in this child's own output as it arrives, never by an offset into
    // the kept output: that is trimmed to its last `outputLimit` characters, so an offset taken
    // before the start points past the end once a long run has printed more than the limit
    const marker = this.role === 'projector' ? 'projector running' : 'email worker running';
    const logged = this.role === 'api' ? undefined : printed(child, marker);
    try {
      if (this.role === 'api') await this.waitUntilServing(timeoutMs);
      else await this.waitForLog(logged!, marker, timeoutMs);
    } finally {
      logged?.cancel();
    }
    const ms = performance.now() - started;
    this.slowestStartMs = Math.max(this.slowestStartMs, ms);
  }

  private async waitUntilServing(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running)
        throw new Error(`the ${this.role} process exited while starting:\n${this.output.slice(-4000)}`);
      try {
        const res = await fetch(`${this.base}/healthz`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`the ${this.role} process did not serve within ${timeoutMs} ms:\n${this.output.slice(-4000)}`);
  }

  private async waitForLog(logged: Printed, marker: string, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      logged.seen.then(() => 'logged' as const),
      this.exited!.then(() => 'exited' as const),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (outcome === 'logged') return;
    if (outcome === 'exited')
      throw new Error(`the ${this.role} process exited while starting:\n${this.output.slice(-4000)}`);
    throw new Error(
      `the ${this.role} process did not log "${marker}" within ${timeoutMs} ms:\n${this.output.slice(-4000)}`,
    );
  }

  /** Kills the process (if running) and refuses every later start: for afterAll. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.kill();
  }

  /** SIGKILL: no shutdown hook runs, open transactions and in-flight requests are cut. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exited;
    this.kills++;
  }

  /** SIGTERM and wait (an orderly stop). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    const stopped = await Promise.race([this.exited!.then(() => true), sleep(10_000).then(() => false)]);
    if (!stopped) {
      this.child!.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Resident set size of the process in bytes (from /proc), undefined when it is not running. */
  async rssBytes(): Promise<number | undefined> {
    const pid = this.pid;
    if (!pid) return undefined;
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
      return kb ? Number(kb) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }
}
