import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { securityHeaders } from '../../platform/http/app.js';
import { loadShedding, type LoadSheddingMiddleware } from '../../platform/http/loadShedding.js';
import { requestTimeout } from '../../platform/http/requestTimeout.js';
import { send, until, type RawAnswer } from './support/http.js';

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

  it('when more requests arrive than slots and queue hold, then the rest are answered 503 with Retry-After while every slot is still taken, queued ones too once their wait runs out, and health is never shed', async () => {
    shedding = loadShedding({ maxConcurrent: 2, maxQueue: 2, maxQueueWaitMs: 150, maxEventLoopLagMs: 0 });
    const app = express();
    app.use(securityHeaders);
    app.use(shedding);
    // the handler holds its slot until the test opens the gate: no slot comes free before that
    const gate = opening();
    let entered = 0;
    app.get('/slow', async (_req, res) => {
      entered++;
      await gate.opened;
      res.json({ ok: true });
    });
    app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
    const base = await serve(app);

    const arrived: RawAnswer[] = [];
    const answers = Array.from({ length: 10 }, () =>
      request(base, '/slow').then((a) => {
        arrived.push(a);
        return a;
      }),
    );
    await until('eight answers while both slots are held', async () => arrived.length >= 8, 30_000, 10);
    // answered before any slot came free: shed at once, or (the two queued) when their wait ran out
    expect(entered).toBe(2);
    expect(arrived.map((a) => a.status)).toEqual(Array(8).fill(503));
    for (const a of arrived) {
      expect(a.headers['retry-after']).toBe('1');
      expect(a.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect((a.json as { code: string }).code).toBe('overloaded');
    }
    // health is answered even now, with every slot taken
    expect((await send(base, 'GET', '/healthz')).status).toBe(200);
    expect(shedding.stats()).toMatchObject({ active: 2, queued: 0, shed: 8 });

    gate.open();
    const all = await Promise.all(answers);
    expect(all.filter((a) => a.status === 200)).toHaveLength(2);
    expect(shedding.stats()).toMatchObject({ active: 0, queued: 0, shed: 8, served: 2 });
    // and it recovers: the next request is served
    expect((await send(base, 'GET', '/slow')).status).toBe(200);
  });

  it('when a slot comes free, then the oldest queued request is served, not shed', async () => {
    shedding = loadShedding({ maxConcurrent: 1, maxQueue: 5, maxQueueWaitMs: 600_000, maxEventLoopLagMs: 0 });
    const app = express();
    app.use(shedding);
    const gates = new Map<string, ReturnType<typeof opening>>();
    const served: string[] = [];
    app.get('/slow', async (req, res) => {
      const n = String(req.query.n);
      served.push(n);
      await gates.get(n)!.opened;
      res.json({ n });
    });
    const base = await serve(app);
    const limiter = shedding;
    // one at a time, so that the order of arrival is known: the first takes the slot, the rest queue
    const answers: Promise<RawAnswer>[] = [];
    for (const n of ['1', '2', '3', '4']) {
      gates.set(n, opening());
      answers.push(request(base, `/slow?n=${n}`));
      await until(
        `request ${n} to take the slot or a place in the queue`,
        async () => {
          const { active, queued } = limiter.stats();
          return active + queued === Number(n);
        },
        30_000,
        5,
      );
    }
    expect(served).toEqual(['1']);
    for (const n of ['1', '2', '3']) {
      gates.get(n)!.open();
      await until(
        `the slot to pass to the next request after ${n}`,
        async () => served.length === Number(n) + 1,
        30_000,
        5,
      );
    }
    gates.get('4')!.open();
    expect((await Promise.all(answers)).map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(served).toEqual(['1', '2', '3', '4']);
    expect(shedding.stats()).toMatchObject({ shed: 0, served: 4 });
  });

  it('when a handler does not answer in time, then the client gets 503 with Retry-After, and the late answer is dropped without an error', async () => {
    const app = express();
    app.use(requestTimeout({ timeoutMs: 200 }));
    const late: unknown[] = [];
    // the handler answers only once the test opens the gate, after the client has had its 503
    const gate = opening();
    let handlerDone!: () => void;
    const handled = new Promise<void>((resolve) => (handlerDone = resolve));
    app.get('/hang', async (_req, res) => {
      await gate.opened;
      try {
        res.status(200).json({ late: true });
      } catch (error) {
        late.push(error);
      }
      handlerDone();
    });
    app.get('/fast', (_req, res) => void res.json({ fast: true }));
    const base = await serve(app);
    const hung = await send(base, 'GET', '/hang');
    expect(hung.status).toBe(503);
    expect(hung.headers['retry-after']).toBe('1');
    expect((hung.json as { code: string }).code).toBe('timeout');
    const fast = await send(base, 'GET', '/fast');
    expect(fast.status).toBe(200);
    gate.open();
    await handled;
    expect(late).toEqual([]);
  });
});

/**
 * A request whose failure is its answer (status 0, the error as text): a request left pending
 * by a failed test is cut by afterEach, and must not surface as an unhandled rejection.
 */
function request(base: string, path: string): Promise<RawAnswer> {
  return send(base, 'GET', path).catch((error: unknown) => ({
    status: 0,
    headers: {},
    text: String(error),
    json: undefined,
    ms: 0,
  }));
}

/** A gate a handler waits on until the test opens it. */
function opening(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}
