import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpProblem } from './problem.js';

/**
 * No request hangs: one that has no answer after `timeoutMs` is answered 503 with
 * `Retry-After` (code `timeout`), and whatever the handler sends later is dropped.
 *
 * A command that timed out may still complete after the answer: retry it with the same
 * Idempotency-Key, which answers the first result if there was one.
 */

export interface RequestTimeoutOptions {
  /** Default 15,000 ms. */
  timeoutMs?: number;
  retryAfterSeconds?: number;
  /** Requests left alone (long polls, downloads). Default: none. */
  exempt?: (req: Request) => boolean;
  /** Called once per timed-out request (metrics, logs). */
  onTimeout?: (req: Request) => void;
}

export function requestTimedOut(retryAfterSeconds: number): HttpProblem {
  return new HttpProblem(
    503,
    'Service Unavailable',
    undefined,
    { code: 'timeout' },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/** After the timeout answer, the handler's own answer must not reach the socket (nor throw). */
function muzzle(res: Response): void {
  const noop = function (this: Response) {
    return this;
  };
  res.status = noop as Response['status'];
  res.setHeader = noop as unknown as Response['setHeader'];
  res.set = noop as Response['set'];
  res.header = noop as Response['header'];
  res.type = noop as Response['type'];
  res.cookie = noop as Response['cookie'];
  res.clearCookie = noop as Response['clearCookie'];
  res.json = noop as Response['json'];
  res.send = noop as Response['send'];
  res.end = noop as Response['end'];
  res.writeHead = noop as unknown as Response['writeHead'];
  res.write = (() => true) as Response['write'];
}

export function requestTimeout(options: RequestTimeoutOptions = {}): RequestHandler {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const retryAfter = options.retryAfterSeconds ?? 1;
  return (req: Request, res: Response, next: NextFunction) => {
    if (options.exempt?.(req)) return next();
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      res.locals.timedOut = true;
      options.onTimeout?.(req);
      const problem = requestTimedOut(retryAfter);
      for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
      res.status(503).type('application/problem+json').send(JSON.stringify(problem.toBody()));
      muzzle(res);
    }, timeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.once('finish', clear);
    res.once('close', clear);
    next();
  };
}
