import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one API process, on a registry of its own (several desks can share a process in tests). */
export class DeskMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'operation' | 'method' | 'status'>;
  readonly latency: Histogram<'operation' | 'method'>;
  readonly commands: Counter<'operation' | 'outcome'>;
  readonly satisfactionRatings: Counter<'rating'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'support_desk_' });
    this.requests = new Counter({
      name: 'support_desk_http_requests_total',
      help: 'HTTP requests by operation and status',
      labelNames: ['operation', 'method', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'support_desk_http_request_duration_seconds',
      help: 'HTTP request latency by operation',
      labelNames: ['operation', 'method'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.commands = new Counter({
      name: 'support_desk_commands_total',
      help: 'Commands by operation and outcome (ok, refused, error)',
      labelNames: ['operation', 'outcome'],
      registers: [this.registry],
    });
    this.satisfactionRatings = new Counter({
      name: 'support_desk_satisfaction_ratings_total',
      help: 'Satisfaction survey answers recorded by this process, by rating (good, okay, bad or 1 to 5; a changed answer counts again)',
      labelNames: ['rating'],
      registers: [this.registry],
    });
  }

  /** A gauge whose value is read when Prometheus scrapes. */
  gauge(name: string, help: string, labelNames: string[], collect: (g: Gauge<string>) => Promise<void> | void): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        await collect(this);
      },
    });
  }

  /** Counts and times every request, labelled by the route's operation id (never the raw path: no ids in labels). */
  middleware(operationOf: (req: Request) => string | undefined) {
    return (req: Request, res: Response, next: NextFunction) => {
      const end = this.latency.startTimer();
      res.on('finish', () => {
        const operation =
          operationOf(req) ?? (req.path.startsWith('/api') ? 'unmatched' : req.path.split('/')[1] || 'root');
        end({ operation, method: req.method });
        this.requests.inc({ operation, method: req.method, status: String(res.statusCode) });
        if (req.method !== 'GET' && operationOf(req)) {
          const outcome = res.statusCode < 400 ? 'ok' : res.statusCode < 500 ? 'refused' : 'error';
          this.commands.inc({ operation, outcome });
        }
      });
      next();
    };
  }
}
