import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from '../logger.js';
import type { DeskMetrics } from '../monitoring/metrics.js';
import { errorSender } from './errors.js';
import { healthz, readyz, type HealthDependencies } from './health.js';
import { trustNobody, type TrustProxy } from './clientAddress.js';
import { buildOpenApiDocument, renderApiDocsPage } from './openapi.js';
import { problems } from './problem.js';
import { registerRoutes, type AnyRoute } from './route.js';
import { loadShedding, type LoadSheddingOptions } from './loadShedding.js';
import { requestTimeout, type RequestTimeoutOptions } from './requestTimeout.js';
import { serveWebApp } from './webApp.js';

export interface AppDependencies extends HealthDependencies {
  logger: Logger;
  routes: AnyRoute[];
  /** Sets res.locals.identity (and refuses bad credentials); absent in bare health-only apps. */
  identity?: RequestHandler[];
  version?: string;
  /** Largest JSON body accepted (bytes). */
  bodyLimit?: number;
  metrics?: DeskMetrics;
  /** Serve the built web app (web/dist) for every non-API path. */
  serveWeb?: boolean;
  loadShedding?: LoadSheddingOptions;
  requestTimeout?: RequestTimeoutOptions;
  /** Whose X-Forwarded-For decides req.ip (compileTrustProxy of TRUST_PROXY); default nobody. */
  trustProxy?: TrustProxy;
}

/** Routes whose bodies must be smaller than the default. */
const smallBodies: Record<string, number> = { '/api/client-logs': 16 * 1024 };

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The web app's policy: everything from this origin, no inline scripts, never framed. */
const cspDirectives = {
  'default-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'style-src': ["'self'", "'unsafe-inline'"],
  'connect-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
};
export const CONTENT_SECURITY_POLICY = Object.entries(cspDirectives)
  .map(([name, values]) => `${name} ${values.join(' ')}`)
  .join(';'); // as helmet writes it

/**
 * Every answer's security headers (helmet): the CSP above, nosniff, X-Frame-Options DENY,
 * Referrer-Policy no-referrer, COOP and CORP same-origin, and helmet's other defaults. No HSTS:
 * that is the TLS terminator's decision (it knows whether every subdomain speaks HTTPS).
 */
export const securityHeaders = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: cspDirectives },
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  strictTransportSecurity: false,
});

export function createApp(deps: AppDependencies): express.Express {
  const app = express();
  const sendError = errorSender(deps.logger);
  app.disable('x-powered-by');
  // one rule for the client address: the live push's upgrades use the same function (clientAddress.ts)
  app.set('trust proxy', deps.trustProxy ?? trustNobody);
  app.set('query parser', 'simple');
  app.use(securityHeaders);
  app.use((req, res, next) => {
    const given = req.get('x-request-id');
    res.locals.requestId = given && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', String(res.locals.requestId));
    next();
  });

  const operations = new Map(deps.routes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r.operationId]));
  const metrics = deps.metrics;
  if (metrics) {
    // read when the answer is sent, after routing: label by operation id, never by raw path
    const operationOf = (req: Request) => {
      const path = (req.route as { path?: string } | undefined)?.path;
      return path ? operations.get(`${req.method} ${path}`) : undefined;
    };
    app.use(metrics.middleware(operationOf));
    app.get('/metrics', async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }
  // shed load before doing work (health and metrics stay reachable), and bound every request
  app.use(loadShedding(deps.loadShedding));
  // files stream at the pace of the network (their handlers bound idle time and size instead)
  const streaming = deps.routes
    .filter((r) => r.multipart || r.binaryResponse)
    .map((r) => ({
      method: r.method.toUpperCase(),
      path: new RegExp(`^${r.path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`),
    }));
  const isStreaming = (req: Request) =>
    streaming.some((r) => r.method === req.method && r.path.test(req.originalUrl.split('?')[0] ?? ''));
  const timeouts = deps.requestTimeout ?? {};
  app.use(
    requestTimeout({
      ...timeouts,
      exempt: (req) => isStreaming(req) || (timeouts.exempt?.(req) ?? false),
    }),
  );
  app.get('/healthz', healthz(deps));
  app.get('/readyz', readyz(deps));

  const openApi = buildOpenApiDocument(deps.routes, deps.version ?? '0.1.0');
  const docsPage = renderApiDocsPage(openApi);
  app.get('/api/openapi.json', (_req, res) => void res.json(openApi));
  app.get('/api/docs', (_req, res) => void res.type('html').send(docsPage));

  // Bodies: JSON only, small, UTF-8; anything else on an unsafe method is refused before parsing,
  // but on a route that takes files (multipart/form-data, streamed by its handler)
  const multipartPaths = deps.routes.filter((r) => r.multipart).map((r) => `${r.method.toUpperCase()} ${r.path}`);
  app.use('/api', (req, _res, next) => {
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (!unsafeMethods.has(req.method) || !hasBody || req.is('application/json')) return next();
    if (multipartPaths.includes(`${req.method} ${req.originalUrl.split('?')[0]}`)) {
      if (req.is('multipart/form-data')) return next();
    }
    next(problems.unsupportedMediaType());
  });
  // a route that checks its exact bytes (a webhook's signature) gets them unparsed; the JSON parser
  // below then leaves the already-read body alone
  for (const route of deps.routes) {
    if (route.rawBody) app.use(route.path, express.raw({ limit: route.rawBody.limit, type: 'application/json' }));
  }
  for (const [path, limit] of Object.entries(smallBodies)) {
    app.use(path, express.json({ limit, strict: true, type: 'application/json' }));
  }
  app.use('/api', express.json({ limit: deps.bodyLimit ?? 64 * 1024, strict: true, type: 'application/json' }));
  for (const handler of deps.identity ?? []) app.use('/api', handler);

  registerRoutes(app, deps.routes, sendError);
  if (deps.serveWeb) serveWebApp(app);

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(problems.notFound(undefined, 'no_route'));
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => sendError(res, error));
  return app;
}
