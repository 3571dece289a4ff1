import type pg from 'pg';
import { Resend } from 'resend';
import { z } from 'zod';
import { HttpProblem, problems } from '../../../platform/http/problem.js';
import { implement, routeContract, type AnyRoute, type RouteContext } from '../../../platform/http/route.js';
import { rateLimitKey, type RateLimiter } from '../../../platform/identity/rateLimiter.js';
import type { Logger } from '../../../platform/logger.js';
import type { InboundEmailConfig } from './inboundEmailConfig.js';
import { recordWebhookDelivery } from './resendWebhookDeliveries.js';

/**
 * Resend's webhooks (inbound mail and what became of the mail we sent) arrive here. The route
 * checks the signature over the raw body and records the delivery once, by its svix-id; it
 * decides nothing, so it answers at once and the work is done later from the record.
 *
 * Order: no secret configured → 404 (the route is off); more than the limit → 413 before
 * anything is read; over the rate per client address → 429; unsigned, badly signed or signed
 * more than 5 minutes away from now → 401; then one INSERT … ON CONFLICT DO NOTHING → 200.
 * Nothing is recorded before the signature holds, and no signature or secret is logged.
 */

/** Largest webhook body accepted: Resend's events are small (an inbound mail's body is fetched later). */
export const WEBHOOK_BODY_LIMIT = 256 * 1024;
const RATE_WINDOW_SECONDS = 60;

export const resendWebhookEvent = z
  .looseObject({
    type: z.string().min(1).max(100).meta({
      description: 'What happened: `email.received`, `email.sent`, `email.delivered`, `email.bounced`, …',
      example: 'email.received',
    }),
    created_at: z.string().max(100).meta({ description: 'When Resend created the event (ISO 8601)' }),
    data: z.record(z.string(), z.unknown()).meta({ description: 'The event, as Resend documents it per type' }),
  })
  .meta({ id: 'ResendWebhookEvent', description: "One of Resend's webhook events, as it signed it" });

export const receiveResendWebhook = routeContract({
  method: 'post',
  path: '/api/webhooks/resend',
  operationId: 'receiveResendWebhook',
  summary: "Receive one of Resend's webhook deliveries",
  description:
    'Signed by Resend (Svix headers) with RESEND_WEBHOOK_SECRET over the exact body; a timestamp more than ' +
    '5 minutes from now is refused. Recorded once per `svix-id`, however often it is retried or replayed, ' +
    'and worked on later. At most 256 KiB, rate limited per client address (RESEND_WEBHOOK_RATE_LIMIT a minute). ' +
    'Credentials are ignored (the delivery acts for nobody). 404 while no signing secret is configured.',
  tags: ['Webhooks'],
  access: 'public',
  credentials: 'ignored',
  rawBody: { limit: WEBHOOK_BODY_LIMIT, schema: resendWebhookEvent },
  headers: [
    { name: 'svix-id', description: 'The delivery id: the same for every retry and replay', required: true },
    { name: 'svix-timestamp', description: 'When it was signed (seconds since 1970)', required: true },
    { name: 'svix-signature', description: '`v1,<base64 HMAC-SHA256>` (several, space-separated)', required: true },
  ],
  response: {
    status: 200,
    description: 'Recorded; `duplicate` when this delivery had already been recorded',
    schema: z.object({ received: z.literal(true), duplicate: z.boolean() }),
  },
  errors: [401, 404, 413, 429],
});

export interface ResendWebhookDependencies {
  pool: pg.Pool;
  config: Pick<InboundEmailConfig, 'RESEND_WEBHOOK_SECRET' | 'RESEND_WEBHOOK_RATE_LIMIT'>;
  rateLimiter: RateLimiter;
  clock: () => Date;
  logger: Logger;
}

const invalidSignature = () => new HttpProblem(401, 'Unauthorized', undefined, { code: 'invalid_signature' });
const notJson = () =>
  problems.badRequest([{ path: 'body', message: 'is not valid JSON' }], 'The body is not valid JSON.');

/** Postgres refuses this text in jsonb (a NUL, an unpaired surrogate). */
const unstorableJson = new Set(['22P05', '22P02']);

export function resendWebhookRoutes(deps: ResendWebhookDependencies): AnyRoute[] {
  // verification needs no API key (only the signing secret): this client never calls Resend
  const resend = new Resend('re_webhook_verification_only');
  const secret = deps.config.RESEND_WEBHOOK_SECRET;

  /** The event, when the signature over these exact bytes holds (the SDK's standardwebhooks check). */
  function verifiedEvent(ctx: RouteContext<unknown, unknown, unknown>, webhookSecret: string): unknown {
    try {
      return resend.webhooks.verify({
        payload: ctx.rawBody?.toString('utf8') ?? '',
        headers: {
          id: ctx.header('svix-id') ?? '',
          timestamp: ctx.header('svix-timestamp') ?? '',
          signature: ctx.header('svix-signature') ?? '',
        },
        webhookSecret,
      });
    } catch (error) {
      // signed, but not JSON: the SDK parses only after the signature held
      if (error instanceof SyntaxError) throw notJson();
      if (error instanceof Error && error.name === 'WebhookVerificationError') {
        deps.logger.warn({ webhook: { refused: error.message, requestId: ctx.requestId } }, 'resend webhook refused');
        throw invalidSignature();
      }
      throw error;
    }
  }

  return [
    implement(receiveResendWebhook, {
      async handle(ctx) {
        if (!secret) throw problems.notFound(undefined, 'no_route');
        const rate = await deps.rateLimiter.hit(rateLimitKey('resend-webhook', ctx.ip), {
          limit: deps.config.RESEND_WEBHOOK_RATE_LIMIT,
          windowSeconds: RATE_WINDOW_SECONDS,
        });
        if (!rate.allowed) throw problems.tooManyRequests(rate.retryAfterSeconds);
        const event = resendWebhookEvent.safeParse(verifiedEvent(ctx, secret));
        if (!event.success) {
          throw problems.badRequest(
            event.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })),
          );
        }
        const svixId = ctx.header('svix-id') ?? '';
        if (svixId.length > 256) throw problems.badRequest([{ path: 'headers.svix-id', message: 'is too long' }]);
        const outcome = await recordWebhookDelivery(deps.pool, {
          svixId,
          eventType: event.data.type,
          payload: event.data,
          receivedAt: deps.clock(),
        }).catch((error: unknown) => {
          if (unstorableJson.has((error as { code?: string }).code ?? '')) throw notJson();
          throw error;
        });
        deps.logger.info(
          { webhook: { svixId, type: event.data.type, outcome, requestId: ctx.requestId } },
          'resend webhook recorded',
        );
        return { body: { received: true as const, duplicate: outcome === 'duplicate' } };
      },
    }),
  ];
}
