import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { HttpProblem } from './problem.js';

/**
 * Load shedding: past what the process can serve, a request is answered at once with 503 and
 * `Retry-After` instead of joining an ever longer queue (where it would time out anyway, after
 * holding memory, a socket and a slot in the database pool's queue).
 *
 * - at most `maxConcurrent` requests run at once; up to `maxQueue` more wait, each at most
 *   `maxQueueWaitMs`; anything beyond is shed;
 * - while the event loop lags more than `maxEventLoopLagMs` (p99 over the last interval), a
 *   request that finds no free slot is shed instead of queued: the process is already late for
 *   the ones it has (free slots are still used, so a busy process keeps serving what it can);
 * - health and metrics endpoints are never shed (a balancer must see the process alive).
 *
 * A shed request did nothing: it is safe to retry (commands: with the same Idempotency-Key).
 */

export interface LoadSheddingOptions {
  /** Requests handled at once. Default 64. */
  maxConcurrent?: number;
  /** Requests waiting for a slot; past it a request is shed at once. Default 512. */
  maxQueue?: number;
  /** A request that waited this long for a slot is shed. Default 3000 ms. */
  maxQueueWaitMs?: number;
  /** Shed new requests while the event loop's p99 delay is above this. Default 500 ms; 0 turns it off. */
  maxEventLoopLagMs?: number;
  /** How often the event-loop delay is sampled and judged. Default 500 ms. */
  lagIntervalMs?: number;
  /** The Retry-After of a shed answer. Default 1 s. */
  retryAfterSeconds?: number;
  /** Requests that are never shed. Default: GET /healthz, /readyz, /metrics. */
  exempt?: (req: Request) => boolean;
}

export interface LoadSheddingStats {
  active: number;
  queued: number;
  shed: number;
  served: number;
  eventLoopLagMs: number;
}

export type LoadSheddingMiddleware = RequestHandler & {
  stats(): LoadSheddingStats;
  /** Stops the event-loop sampler (tests; a server that closes). */
  close(): void;
};

const defaultExempt = (req: Request) =>
  req.method === 'GET' && (req.path === '/healthz' || req.path === '/readyz' || req.path === '/metrics');

interface Waiter {
  start: () => void;
  timer: NodeJS.Timeout;
  req: Request;
}

export function overloaded(retryAfterSeconds: number): HttpProblem {
  return new HttpProblem(
    503,
    'Service Unavailable',
    undefined,
    { code: 'overloaded' },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

function sendShed(res: Response, retryAfterSeconds: number): void {
  if (res.headersSent) return;
  const problem = overloaded(retryAfterSeconds);
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res.status(503).type('application/problem+json').send(JSON.stringify(problem.toBody()));
}

export function loadShedding(options: LoadSheddingOptions = {}): LoadSheddingMiddleware {
  const maxConcurrent = options.maxConcurrent ?? 64;
  const maxQueue = options.maxQueue ?? 512;
  const maxQueueWaitMs = options.maxQueueWaitMs ?? 3000;
  const maxLagMs = options.maxEventLoopLagMs ?? 500;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const exempt = options.exempt ?? defaultExempt;

  let active = 0;
  let shed = 0;
  let served = 0;
  let lagMs = 0;
  const queue: Waiter[] = [];

  let histogram: IntervalHistogram | undefined;
  let sampler: NodeJS.Timeout | undefined;
  if (maxLagMs > 0) {
    histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    sampler = setInterval(() => {
      lagMs = histogram!.percentile(99) / 1e6;
      histogram!.reset();
    }, options.lagIntervalMs ?? 500);
    sampler.unref();
  }

  const release = () => {
    active--;
    // hand the slot to the oldest waiter whose client is still there
    while (queue.length > 0 && active < maxConcurrent) {
      const next = queue.shift()!;
      clearTimeout(next.timer);
      if (next.req.socket.destroyed) continue;
      next.start();
    }
  };

  const run = (res: Response, next: NextFunction) => {
    active++;
    served++;
    let released = false;
    const done = () => {
      if (released) return;
      released = true;
      release();
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };

  const middleware = ((req: Request, res: Response, next: NextFunction) => {
    if (exempt(req)) return next();
    if (active < maxConcurrent) return run(res, next);
    // no free slot: wait for one, unless the queue is full or the process is already late
    if (queue.length >= maxQueue || (maxLagMs > 0 && lagMs > maxLagMs)) {
      shed++;
      return sendShed(res, retryAfter);
    }
    const waiter: Waiter = {
      req,
      start: () => run(res, next),
      timer: setTimeout(() => {
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
        shed++;
        sendShed(res, retryAfter);
      }, maxQueueWaitMs),
    };
    queue.push(waiter);
  }) as LoadSheddingMiddleware;

  middleware.stats = () => ({ active, queued: queue.length, shed, served, eventLoopLagMs: Math.round(lagMs) });
  middleware.close = () => {
    if (sampler) clearInterval(sampler);
    histogram?.disable();
    for (const waiter of queue.splice(0)) clearTimeout(waiter.timer);
  };
  return middleware;
}
