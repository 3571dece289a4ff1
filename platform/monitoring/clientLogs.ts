import type pg from 'pg';
import { z } from 'zod';
import { problems } from '../http/problem.js';
import { implement, routeContract, type AnyRoute } from '../http/route.js';
import type { RateLimiter } from '../identity/rateLimiter.js';
import { rateLimitKey } from '../identity/rateLimiter.js';
import type { Logger } from '../logger.js';

/**
 * The web app's error intake: no sign-in, but small bodies only, rate limited per client
 * address, schema-checked, logged, and kept in a capped table.
 *
 * It acts for nobody (`credentials: 'ignored'`): a signed-in browser's cookies are not read, so
 * it needs no CSRF token. CSRF stops a foreign page from using someone's session; a report uses
 * no session and changes nothing anyone owns, so anyone may send one from anywhere, as an
 * anonymous caller already could. Asking for the token instead would lose reports exactly when
 * the page is broken (a stale or missing sd_csrf cookie, a session that just ended).
 */
export const CLIENT_LOG_CAP = 10_000;

const clientLogInput = z.object({
  level: z.enum(['error', 'warn', 'info']).default('error'),
  message: z.string().trim().min(1).max(2000),
  stack: z.string().max(8000).optional(),
  url: z.string().max(2000).optional(),
  userAgent: z.string().max(500).optional(),
  context: z.record(z.string().max(100), z.union([z.string().max(500), z.number(), z.boolean(), z.null()])).optional(),
});

export const reportClientError = routeContract({
  method: 'post',
  path: '/api/client-logs',
  operationId: 'reportClientError',
  summary: 'Report an error seen in the web app',
  description:
    'Rate limited (30 per minute per client address), at most 16 KiB, kept in a capped table. ' +
    'Credentials are ignored (the report acts for nobody), so a signed-in browser needs no X-CSRF-Token.',
  tags: ['Monitoring'],
  access: 'public',
  credentials: 'ignored',
  body: clientLogInput,
  response: { status: 202, description: 'Recorded', schema: z.object({ recorded: z.literal(true) }) },
  errors: [413, 429],
});

export function clientLogRoutes(deps: { pool: pg.Pool; rateLimiter: RateLimiter; logger: Logger }): AnyRoute[] {
  let inserted = 0;
  return [
    implement(reportClientError, {
      async handle(ctx) {
        const limit = await deps.rateLimiter.hit(rateLimitKey('client-log', ctx.ip), { limit: 30, windowSeconds: 60 });
        if (!limit.allowed) throw problems.tooManyRequests(limit.retryAfterSeconds);
        const { level, message, ...detail } = ctx.body;
        await deps.pool.query('INSERT INTO client_logs (client_key, level, message, detail) VALUES ($1, $2, $3, $4)', [
          rateLimitKey('client', ctx.ip),
          level,
          message,
          JSON.stringify(detail),
        ]);
        deps.logger.warn(
          { clientLog: { level, message, url: detail.url }, requestId: ctx.requestId },
          'client error reported',
        );
        if (++inserted % 100 === 0) {
          await deps.pool.query(
            `DELETE FROM client_logs WHERE id <= (SELECT id FROM client_logs ORDER BY id DESC OFFSET $1 LIMIT 1)`,
            [CLIENT_LOG_CAP],
          );
        }
        return { status: 202, body: { recorded: true as const } };
      },
    }),
  ];
}
