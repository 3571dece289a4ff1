import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/freePort.js';
import { startMain, type MainProcess } from '../support/mainProcess.js';

/** The README's quick start, as a fresh machine runs it: no DATABASE_URL, its own Postgres. */
describe('npm start on the embedded default', () => {
  let desk: MainProcess;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'support-desk-start-'));
    await chmod(dir, 0o755);
    desk = await startMain({
      EMBEDDED_PG_DIR: path.join(dir, 'postgres'),
      EMBEDDED_PG_PORT: String(await freePort()),
    });
    base = desk.base;
  });

  afterAll(async () => {
    await desk?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('when started, then /healthz reports the event store and the database', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', database: { ok: true }, eventStore: { ok: true, adapter: 'postgres' } });
  });

  it('when ready, then /readyz answers 200', async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('when an API route does not exist, then it answers problem+json 404', async () => {
    const res = await fetch(`${base}/api/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('when stopped with SIGTERM, then it shuts down cleanly, its Postgres too', async () => {
    expect(await desk.stop()).toBe(0);
    expect(desk.output()).toContain('shutting down');
  });
});
