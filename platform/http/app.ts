import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../logger.js';
import { healthz, readyz, type HealthDependencies } from './health.js';

export interface AppDependencies extends HealthDependencies {
  logger: Logger;
}

export function createApp(deps: AppDependencies): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.get('/healthz', healthz(deps));
  app.get('/readyz', readyz(deps));

  app.use((req: Request, res: Response) => {
    res
      .status(404)
      .type('application/problem+json')
      .json({ type: 'about:blank', title: 'Not Found', status: 404, detail: `no route for ${req.method} ${req.path}` });
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    deps.logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
    if (res.headersSent) return;
    res
      .status(500)
      .type('application/problem+json')
      .json({ type: 'about:blank', title: 'Internal Server Error', status: 500 });
  });
  return app;
}
