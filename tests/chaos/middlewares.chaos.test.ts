import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { securityHeaders } from '../../platform/http/app.js';
import { loadShedding, type LoadSheddingMiddleware } from '../../platform/http/loadShedding.js';
import { requestTimeout } from '../../platform/http/requestTimeout.js';
import { send, sleep } from './support/http.js';

/** The two middlewares of the overload and database-fault requirements, on a bare express app. */
describe('loadShedding and requestTimeout', () => {
  let server: Server | undefined;
  let shedding: LoadSheddingMiddleware | undefined;

  afterEach(async () => {
    shedding?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  async function serve(app: express.Express): Promise<string> {
    server = createServer(app);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('when more requests arrive than slots and queue hold, then the rest are answered 503 with Retry-After at once, queued ones wait at most maxQueueWaitMs, and health is never shed', async () => {
    shedding = loadShedding({ maxConcurrent: 2, maxQueue: 2, maxQueueWaitMs: 150, maxEventLoopLagMs: 0 });
    const app = express();
    app.use(securityHeaders);
    app.use(shedding);
    app.get('/slow', async (_req, res) => {
      await sleep(400);
      res.json({ ok: true });
    });
    app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
    const base = await serve(app);

    const answers = await Promise.all(Array.from({ length: 10 }, () => send(base, 'GET', '/slow')));
    const health = await send(base, 'GET', '/healthz');
    const ok = answers.filter((a) => a.status === 200);
    const shed = answers.filter((a) => a.status === 503);
    expect(ok).toHaveLength(2);
    expect(shed).toHaveLength(8);
    for (const a of shed) {
      expect(a.headers['retry-after']).toBe('1');
      expect(a.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect((a.json as { code: string }).code).toBe('overloaded');
      expect(a.ms).toBeLessThan(350); // before any slot came free
    }
    expect(health.status).toBe(200);
    expect(shedding.stats()).toMatchObject({ active: 0, queued: 0, shed: 8, served: 2 });
    // and it recovers: the next request is served
    expect((await send(base, 'GET', '/slow')).status).toBe(200);
  });

  it('when a slot comes free, then the oldest queued request is served, not shed', async () => {
    shedding = loadShedding({ maxConcurrent: 1, maxQueue: 5, maxQueueWaitMs: 2000, maxEventLoopLagMs: 0 });
    const app = express();
    app.use(shedding);
    app.get('/slow', async (_req, res) => {
      await sleep(100);
      res.json({ ok: true });
    });
    const base = await serve(app);
    const answers = await Promise.all(Array.from({ length: 4 }, () => send(base, 'GET', '/slow')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
  });

  it('when a handler does not answer in time, then the client gets 503 with Retry-After, and the late answer is dropped without an error', async () => {
    const app = express();
    app.use(requestTimeout({ timeoutMs: 200 }));
    const late: unknown[] = [];
    app.get('/hang', async (_req, res) => {
      await sleep(500);
      try {
        res.status(200).json({ late: true });
      } catch (error) {
        late.push(error);
      }
    });
    app.get('/fast', (_req, res) => void res.json({ fast: true }));
    const base = await serve(app);
    const hung = await send(base, 'GET', '/hang');
    expect(hung.status).toBe(503);
    expect(hung.headers['retry-after']).toBe('1');
    expect((hung.json as { code: string }).code).toBe('timeout');
    expect(hung.ms).toBeLessThan(450);
    const fast = await send(base, 'GET', '/fast');
    expect(fast.status).toBe(200);
    await sleep(400);
    expect(late).toEqual([]);
  });
});
