import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BlobStore } from '../../platform/blobs/blobStore.js';
import { FileBlobStore } from '../../platform/blobs/fileBlobStore.js';
import type { AddressInfo } from 'node:net';
import { HashChainedEventStore } from '../../eventstore/hashChain.js';
import { PostgresEventStore } from '../../eventstore/postgres/postgresEventStore.js';
import { loadConfig } from '../../app/config.js';
import { composeApi } from '../../app/composeApi.js';
import { createLogger } from '../../platform/logger.js';
import { ProjectorRunner } from '../../workers/projectorRunner.js';
import { testClock } from './testClock.js';
import { createTestDatabase, type TestDatabase } from './testDatabase.js';

export const DEMO_PASSWORD = 'demo-password-1';
export const TEST_SEAL_KEY = 'test-seal-key-that-is-long-enough-1234';
/** The guest link secret of every test desk; an email worker given it can email links the desk issued. */
export const TEST_GUEST_LINK_SECRET = 'test-guest-link-secret-long-enough-5678';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** The body of an answer that must have `status` (201 unless said); any other status throws, naming the body. */
export async function ok<T = Record<string, unknown>>(
  answer: Promise<{ status: number; body: T }>,
  status = 201,
): Promise<T> {
  const res = await answer;
  if (res.status !== status) throw new Error(`answered ${res.status}, not ${status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface ApiClient {
  request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer<T>>;
}

/**
 * The real API over a real HTTP server on a free port, on a database of its own, with the demo
 * accounts and assignments seeded. `clock.shift(ms)` moves the desk's time (link expiry).
 */
export async function startTestDesk(
  env: Record<string, string> = {},
  options: { projector?: boolean; blobStore?: BlobStore; onFileStored?: () => void } = {},
) {
  const db: TestDatabase = await createTestDatabase();
  // a blob folder of its own, removed with the desk (unless the test brings its own store)
  const blobDir = await mkdtemp(path.join(tmpdir(), 'desk-blobs-'));
  const blobStore = options.blobStore ?? new FileBlobStore(blobDir);
  const eventStore = new HashChainedEventStore(
    new PostgresEventStore(db.pool, { connectionString: db.url, pollIntervalMs: 100 }),
  );
  const clock = testClock();
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test', ...env });
  const desk = composeApi({
    sealKey: TEST_SEAL_KEY,
    guestLinkSecrets: [TEST_GUEST_LINK_SECRET],
    pool: db.pool,
    databaseUrl: db.url,
    eventStore,
    config,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    clock: clock.now,
    blobStore,
    ...(options.onFileStored ? { onFileStored: options.onFileStored } : {}),
  });
  const projector = new ProjectorRunner({ engine: desk.engine, logger: createLogger('silent'), idleMs: 200 });
  if (options.projector !== false) await projector.start();
  await desk.accounts.ensureDemoAccounts();
  await desk.directory.ensureDemoAssignments();
  const server: Server = createServer(desk.app);
  desk.servesOn(server);
  desk.live.attach(server);
  await desk.live.start();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { anonymous, signIn, guest, bearer } = httpClients(base);

  async function countEvents(): Promise<number> {
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events');
    return Number(rows[0]?.n ?? 0);
  }

  return {
    base,
    db,
    desk,
    eventStore,
    clock,
    anonymous,
    signIn,
    guest,
    bearer,
    countEvents,
    projector,
    blobStore,
    blobDir,
    async stop() {
      await projector.stop();
      await desk.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await eventStore.close();
      await db.drop();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}

export type TestDesk = Awaited<ReturnType<typeof startTestDesk>>;

/** Clients of a desk at `base` over real HTTP: anonymous, signed in (cookie + CSRF), guest, bearer. */
export function httpClients(base: string) {
  const send = async <T>(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<Answer<T>> => {
    // a FormData body goes as multipart/form-data (fetch writes its boundary)
    const form = body instanceof FormData;
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body !== undefined && !form ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: form ? body : typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  };

  const anonymous: ApiClient = { request: (m, p, b, h = {}) => send(m, p, b, h) };

  async function signIn(
    email: string,
    password = DEMO_PASSWORD,
  ): Promise<ApiClient & { accountId: string; headers: Record<string, string> }> {
    const res = await fetch(`${base}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (res.status !== 200) throw new Error(`sign-in of ${email} answered ${res.status}: ${await res.text()}`);
    const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const body = (await res.json()) as { csrfToken: string; account: { id: string } };
    const cookie = cookies.join('; ');
    const headers = { cookie, 'x-csrf-token': body.csrfToken };
    return {
      accountId: body.account.id,
      // for a raw fetch (a file's bytes)
      headers,
      request: (m, p, b, h = {}) => send(m, p, b, { ...headers, ...h }),
    };
  }

  function guest(token: string): ApiClient {
    return { request: (m, p, b, h = {}) => send(m, p, b, { 'x-guest-token': token, ...h }) };
  }

  function bearer(jwt: string): ApiClient {
    return { request: (m, p, b, h = {}) => send(m, p, b, { authorization: `Bearer ${jwt}`, ...h }) };
  }

  return { anonymous, signIn, guest, bearer };
}
