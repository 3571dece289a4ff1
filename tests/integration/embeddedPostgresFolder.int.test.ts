import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  canTraverse,
  EmbeddedPostgresError,
  LOG_TAIL_LINES,
  startEmbeddedPostgres,
  type RunningPostgres,
} from '../../platform/database/embeddedPostgres.js';
import { freePort } from '../support/freePort.js';

/**
 * The data folder of the embedded Postgres and the folders around it: the desk never changes the
 * mode or owner of a folder it did not create (a chmod of the data folder's parent once turned
 * /tmp into 0755), stops with a message naming the folder Postgres cannot traverse, and a failed
 * start says what Postgres itself printed.
 */
const asRoot = process.getuid?.() === 0;
const modeOf = async (folder: string) => (await stat(folder)).mode & 0o7777;

let started: RunningPostgres[] = [];
let folders: string[] = [];
let servers: Server[] = [];

afterEach(async () => {
  await Promise.allSettled(started.map((server) => server.stop()));
  await Promise.allSettled(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  for (const folder of folders) {
    await chmod(folder, 0o700).catch(() => undefined); // a test may have left it untraversable
    await rm(folder, { recursive: true, force: true });
  }
  started = [];
  folders = [];
  servers = [];
});

async function ownFolder(prefix: string): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), `support-desk-${prefix}-`));
  folders.push(folder);
  return folder;
}

async function start(dataDir: string, port?: number): Promise<RunningPostgres> {
  const server = await startEmbeddedPostgres({ dataDir, port: port ?? (await freePort()), settings: { fsync: 'off' } });
  started.push(server);
  return server;
}

async function selectOne(server: RunningPostgres): Promise<number> {
  const client = new pg.Client({ connectionString: server.connectionString() });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one;
  } finally {
    await client.end();
  }
}

async function rejection(promise: Promise<unknown>): Promise<EmbeddedPostgresError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EmbeddedPostgresError);
  return error as EmbeddedPostgresError;
}

describe('embedded postgres and the folders around its data', () => {
  it('when the data folder is directly inside a sticky, world-writable folder, then that folder keeps its mode and owner', async () => {
    // a /tmp of our own: made here, so chmod'ing it is ours to do
    const sticky = await ownFolder('sticky');
    await chmod(sticky, 0o1777);
    const before = await stat(sticky);
    const server = await start(path.join(sticky, 'pg'));

    expect(await selectOne(server)).toBe(1);
    expect(await modeOf(sticky)).toBe(0o1777);
    await server.stop();
    const after = await stat(sticky);
    expect(after.mode & 0o7777).toBe(0o1777);
    expect([after.uid, after.gid]).toEqual([before.uid, before.gid]);
  });

  it('when levels above the data folder are missing, then the desk creates them traversable and only them', async () => {
    const base = await ownFolder('levels');
    await chmod(base, 0o711); // traversable, not 0755: a mode the desk must leave as it is
    const dataDir = path.join(base, 'a', 'b', 'pg');
    const server = await start(dataDir);

    expect(await selectOne(server)).toBe(1);
    expect(await modeOf(base)).toBe(0o711);
    expect(await modeOf(path.join(base, 'a'))).toBe(0o755);
    expect(await modeOf(path.join(base, 'a', 'b'))).toBe(0o755);
    expect(await modeOf(dataDir)).toBe(0o700); // initdb's, on a folder the desk made
  });

  it('when a parent is not traversable by the user Postgres runs as, then it stops before creating or starting anything, naming the folder and the fix', async () => {
    // as root, Postgres runs as `postgres`: a root-owned 0700 folder (what /root is) shuts it out;
    // as another user, Postgres runs as that user: a folder of its own without x does
    const closed = await ownFolder('closed');
    const closedMode = asRoot ? 0o700 : 0o600;
    await chmod(closed, closedMode);
    const port = await freePort();

    const error = await rejection(start(path.join(closed, 'desk', 'pg'), port));

    expect(error.message).toContain(`${closed} (owner uid ${process.getuid?.()}, mode 0${closedMode.toString(8)})`);
    expect(error.message).toContain('is not traversable by');
    expect(error.message).toContain(`chmod o+x ${closed}`);
    expect(error.message).toContain('EMBEDDED_PG_DIR');
    expect(await modeOf(closed)).toBe(closedMode);
    await chmod(closed, 0o700);
    expect(await readdir(closed)).toEqual([]); // nothing created under it
    // and no Postgres was started on its port
    await expect(listenOn(port)).resolves.toBeDefined();
  });

  // as root only: there the check runs for another user (postgres) than the one resolving the link
  it.runIf(asRoot)(
    'when the way to the data folder goes through a symbolic link, then the real parents are checked too',
    async () => {
      const closed = await ownFolder('closed-real');
      await mkdir(path.join(closed, 'inner'), { mode: 0o755 });
      await chmod(closed, 0o700);
      const open = await ownFolder('open-link');
      await chmod(open, 0o755);
      await symlink(path.join(closed, 'inner'), path.join(open, 'link'));

      const error = await rejection(start(path.join(open, 'link', 'pg')));

      expect(error.message).toContain(`${closed} (owner uid 0, mode 0700) is not traversable by`);
      expect(await readdir(path.join(closed, 'inner'))).toEqual([]);
      expect(await modeOf(closed)).toBe(0o700);
    },
  );

  it('when the data folder exists and holds no cluster, then it is refused and left as it was', async () => {
    const base = await ownFolder('occupied');
    await chmod(base, 0o755);
    const dataDir = path.join(base, 'pg');
    await mkdir(dataDir, { mode: 0o755 });
    await chmod(dataDir, 0o755);
    await writeFile(path.join(dataDir, 'notes.txt'), 'not a cluster\n');
    const before = await stat(dataDir);

    const error = await rejection(start(dataDir));

    expect(error.message).toContain(`${dataDir} exists, is not empty and holds no Postgres cluster`);
    const after = await stat(dataDir);
    expect([after.mode & 0o7777, after.uid, after.gid]).toEqual([0o755, before.uid, before.gid]);
    expect(await readdir(dataDir)).toEqual(['notes.txt']);
  });

  it('when Postgres fails to start (its port is taken), then the error carries the last lines of its own log', async () => {
    const base = await ownFolder('taken');
    await chmod(base, 0o755);
    const port = await freePort();
    await listenOn(port);

    const error = await rejection(start(path.join(base, 'pg'), port));

    expect(error.message).toContain(`did not start on port ${port}`);
    expect(error.message).toContain('last lines of the Postgres log');
    expect(error.message).toMatch(/could not bind IPv4 address "127\.0\.0\.1": Address already in use/);
    expect(error.message).toMatch(/FATAL: +could not create any TCP\/IP sockets/);
    expect(error.logTail.length).toBeGreaterThan(0);
    expect(error.logTail.length).toBeLessThanOrEqual(LOG_TAIL_LINES);
    // the tail is postgres's own, not initdb's
    expect(error.logTail.join('\n')).not.toContain('Success. You can now start the database server');
    // the cluster it initialised stays, ready for a start on a free port
    expect(existsSync(path.join(base, 'pg', 'PG_VERSION'))).toBe(true);
    expect(await selectOne(await start(path.join(base, 'pg')))).toBe(1);
  });
});

describe('canTraverse: the kernel rule for searching a folder', () => {
  const postgresUser = { uid: 101, groups: [104] };
  const folder = (mode: number, uid = 0, gid = 0) => ({ mode: 0o40000 | mode, uid, gid });

  it('when the user is neither owner nor in the group, then only the bits for others count', () => {
    expect(canTraverse(folder(0o1777), postgresUser)).toBe(true);
    expect(canTraverse(folder(0o711), postgresUser)).toBe(true);
    expect(canTraverse(folder(0o700), postgresUser)).toBe(false);
    expect(canTraverse(folder(0o776), postgresUser)).toBe(false);
  });

  it('when the user owns the folder, then only the owner bits count, even when others may pass', () => {
    expect(canTraverse(folder(0o700, 101), postgresUser)).toBe(true);
    expect(canTraverse(folder(0o011, 101), postgresUser)).toBe(false);
  });

  it('when the folder belongs to the user group, then only the group bits count', () => {
    expect(canTraverse(folder(0o710, 0, 104), postgresUser)).toBe(true);
    expect(canTraverse(folder(0o701, 0, 104), postgresUser)).toBe(false);
  });

  it('when the user does not exist yet, then it owns nothing and is in no group', () => {
    const toBeCreated = { uid: undefined, groups: [] };
    expect(canTraverse(folder(0o700, 0, 0), toBeCreated)).toBe(false);
    expect(canTraverse(folder(0o755, 0, 0), toBeCreated)).toBe(true);
  });
});

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      servers.push(server);
      resolve(server);
    });
  });
}
