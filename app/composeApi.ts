import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RequestHandler } from 'express';
import type { Server } from 'node:http';
import type pg from 'pg';
import { AssignmentDirectory } from '../commands/assignmentDirectory/assignmentDirectory.js';
import { attachmentRoutes } from '../commands/attachments/attachmentRoutes.js';
import { attachmentLimitsOf } from '../platform/attachments/attachmentConfig.js';
import { AttachmentStore } from '../platform/attachments/attachmentStore.js';
import type { BlobStore } from '../platform/blobs/blobStore.js';
import { FileBlobStore } from '../platform/blobs/fileBlobStore.js';
import { attachmentReadRoutes } from '../read-api/attachments/attachmentReadRoutes.js';
import { scanWorkerCounts } from '../workers/scanning/scanWorker.js';
import { assignmentRoutes } from '../commands/assignmentDirectory/assignmentRoutes.js';
import type { CommandDependencies } from '../commands/commandContext.js';
import { GuestTokens } from '../commands/guestLinks/guestToken.js';
import { createGuestTokenResolver } from '../commands/guestLinks/guestTokenResolver.js';
import { guestLinkRoutes } from '../commands/guestLinks/guestLinkRoutes.js';
import { satisfactionRoutes } from '../commands/satisfaction/satisfactionRoutes.js';
import { SurveyTokens } from '../commands/satisfaction/satisfactionToken.js';
import { IdempotencyStore } from '../commands/idempotency.js';
import { readSystemConfig, systemConfigRoutes } from '../commands/systemConfig/systemConfigRoutes.js';
import type { QueryType } from '../domain/index.js';
import { serviceLevelRoutes } from '../commands/serviceLevels/serviceLevelRoutes.js';
import { serviceLevelPoliciesOf } from '../commands/serviceLevels/serviceLevelPolicies.js';
import { manageThreadRoutes } from '../commands/threads/manageThread.js';
import { postMessageRoute } from '../commands/threads/postMessage.js';
import { raiseQueryRoute } from '../commands/threads/raiseQuery.js';
import type { EventStore } from '../eventstore/port.js';
import type { Config } from './config.js';
import { createApp } from '../platform/http/app.js';
import { compileTrustProxy } from '../platform/http/clientAddress.js';
import { errorSender } from '../platform/http/errors.js';
import { problems } from '../platform/http/problem.js';
import { servedOrigin } from '../platform/http/servedOrigin.js';
import { routesOfContracts, type AnyRoute, type AnyRouteContract } from '../platform/http/route.js';
import { AccountPreferenceStore, accountPreferenceRoutes } from '../platform/identity/accountPreferences.js';
import { AccountStore, assignableRoles } from '../platform/identity/accounts.js';
import { authRoutes } from '../platform/identity/authRoutes.js';
import { createHostJwtVerifier, hostJwtOptionsFromConfig } from '../platform/identity/hostJwt.js';
import { identityMiddleware } from '../platform/identity/middleware.js';
import { RateLimiter, rateLimitKey } from '../platform/identity/rateLimiter.js';
import { SessionStore } from '../platform/identity/sessions.js';
import { staffRoutes } from '../platform/identity/staffRoutes.js';
import type { Logger } from '../platform/logger.js';
import { clientLogRoutes } from '../platform/monitoring/clientLogs.js';
import { DeskMetrics } from '../platform/monitoring/metrics.js';
import type { ProjectionEngine } from '../projections/projectionEngine.js';
import { apiContracts } from './apiContracts.js';
import { composeProjections } from './composeProjections.js';
import { opsRoutes, projectionStatuses, RebuildTracker } from '../read-api/opsRoutes.js';
import { ProjectionWatcher } from '../read-api/projectionWatcher.js';
import { PublicConfigCache } from '../read-api/publicConfig.js';
import { readRoutes } from '../read-api/readRoutes.js';
import { registerReportMetrics } from '../read-api/reports/reportMetrics.js';
import { reportRoutes } from '../read-api/reports/reportRoutes.js';
import { createUpgradeIdentityResolver, LiveHub } from '../read-api/live/index.js';
import { auditRoutes } from '../read-api/audit/auditRoutes.js';
import { suppressionRoutes } from '../workers/email/delivery/suppressionRoutes.js';
import { emailQueueHealth } from '../workers/email/emailOps.js';
import { emailRoutes } from '../workers/email/emailRoutes.js';
import { inboundDeliveryStats } from '../workers/email/inbound/inboundWorker.js';
import { deliveryReportStats } from '../workers/email/delivery/deliveryReportWorker.js';
import { pendingWebhookDeliveries } from '../workers/email/inbound/resendWebhookDeliveries.js';
import { heldMailRoutes } from '../workers/email/inbound/heldMailRoutes.js';
import { inboundDeadLetterRoutes } from '../workers/email/inbound/inboundDeadLetterRoutes.js';
import { postgresInboundLookup } from '../workers/email/inbound/postgresInboundLookup.js';
import { resendWebhookRoutes } from '../workers/email/inbound/resendWebhookRoutes.js';

export interface DeskParts {
  pool: pg.Pool;
  /** For the LISTEN connections of read-your-writes. */
  databaseUrl: string;
  eventStore: EventStore;
  config: Config;
  logger: Logger;
  clock?: () => Date;
  /** Verifies chain seals in the audit API. */
  sealKey?: string;
  /**
   * Guest link tokens are derived from the first (loadGuestLinkSecrets). Unset: a random secret
   * of this process, so the links it issues work but no email worker can rebuild them.
   */
  guestLinkSecrets?: string[];
  /** The projection engine, when the process already built one (a projector in the same process). */
  engine?: ProjectionEngine;
  /** Serve web/dist (the API process in production and `npm start`). */
  serveWeb?: boolean;
  /** At most how long the public config is answered from memory without a change notice (default 1 s). */
  publicConfigCacheMs?: number;
  /** The contracts to serve and document (default apiContracts): each needs exactly one handler here. */
  contracts?: readonly AnyRouteContract[];
  /**
   * Where attachment bytes live (blobStoreFromConfig). Unset (a desk embedded in a benchmark or a
   * test that sends no files): a folder of its own under the system's temporary folder, made on
   * the first file.
   */
  blobStore?: BlobStore;
  /** A file was stored: the virus scanner of this process looks at once. */
  onFileStored?: () => void;
  /** The configured virus scanner's name (for the ops page), or null when files are not scanned. */
  scannerName?: () => string | null;
}

/** Readiness fails when a projection is this many events behind the log (or stopped). */
const PROJECTION_LAG_LIMIT = 5000;

/** The composition root of the API: every store, route and middleware, wired once. */
export function composeApi(parts: DeskParts) {
  const { pool, eventStore, config, logger } = parts;
  const clock = parts.clock ?? (() => new Date());
  // where this desk serves: HOST and PORT, and the listening port once a server is attached
  let server: Server | undefined;
  const servedAt = () => servedOrigin(config, server?.address());
  // one client-address rule: req.ip over HTTP, and the same function for the live push's upgrades
  const trustProxy = compileTrustProxy(config.TRUST_PROXY);
  const accounts = new AccountStore(pool);
  const sessions = new SessionStore(pool, { ttlSeconds: config.SESSION_TTL_SECONDS, cacheMs: config.SESSION_CACHE_MS });
  const rateLimiter = new RateLimiter(pool, { clock });
  const directory = new AssignmentDirectory(pool);
  const idempotency = new IdempotencyStore(pool);
  const guestTokens = new GuestTokens(parts.guestLinkSecrets ?? [randomBytes(32).toString('base64url')]);
  // signed links to files in emails: the API checks them with the secrets the email worker signs with
  const engine = parts.engine ?? composeProjections({ pool, eventStore, config, clock });
  const watcher = new ProjectionWatcher(engine, parts.databaseUrl);
  // emptied by the live hub when it follows a system config change, before it pushes `config`
  const publicConfig = new PublicConfigCache(pool, servedAt, parts.publicConfigCacheMs);
  const rebuilds = new RebuildTracker(engine, logger);
  const metrics = new DeskMetrics();
  metrics.gauge(
    'support_desk_projection_lag_events',
    'Events in the log not yet in a projection (capped at 10000)',
    ['projection'],
    async (g) => {
      for (const s of await projectionStatuses(engine, eventStore)) g.set({ projection: s.name }, s.lagEvents ?? -1);
    },
  );

  metrics.gauge(
    'support_desk_projection_events_per_second',
    'Events each live projection processed per second over the last minute (0 when idle)',
    ['projection'],
    async (g) => {
      for (const row of await engine.generations())
        if (row.status === 'live') g.set({ projection: row.name }, engine.eventsPerSecond(row));
    },
  );

  metrics.gauge(
    'support_desk_event_store_hold_back_seconds',
    'Age of the oldest open transaction with an id in the Postgres cluster: subscribers see nothing committed after it began until it ends',
    [],
    async (g) => {
      const health = await eventStore.health();
      if (health.holdBack) g.set(health.holdBack.oldestTransactionSeconds);
    },
  );

  const guestLinkSecrets = parts.guestLinkSecrets ?? [randomBytes(32).toString('base64url')];
  const blobStore = parts.blobStore ?? new FileBlobStore(path.join(tmpdir(), `support-desk-blobs-${randomUUID()}`));
  const attachments = new AttachmentStore(pool, blobStore, attachmentLimitsOf(config), clock);
  const commandDeps: CommandDependencies = {
    attachments,
    ...(parts.onFileStored ? { onFileStored: parts.onFileStored } : {}),
    eventStore,
    idempotency,
    directory,
    clock,
    async isAssignableStaff(accountId) {
      const account = await accounts.findById(accountId).catch(() => undefined);
      return account && !account.disabled && assignableRoles.includes(account.role)
        ? { name: account.name }
        : undefined;
    },
    async portalBaseUrl() {
      return (await readSystemConfig(eventStore, servedAt())).portalBaseUrl;
    },
    servedOrigin: () => servedAt(),
    guestTokens,
    serviceLevels: serviceLevelPoliciesOf(eventStore),
    // the email worker rebuilds survey tokens with the guest link secret, as it does guest links'
    surveyTokens: new SurveyTokens(guestLinkSecrets),
    onSatisfactionRated: (rating) => metrics.satisfactionRatings.inc({ rating }),
  };

  // the served API is the contract list, each contract with its handler: a mismatch stops the start
  const routes: AnyRoute[] = routesOfContracts(parts.contracts ?? apiContracts, [
    ...authRoutes({
      accounts,
      sessions,
      rateLimiter,
      secureCookies: config.COOKIE_SECURE ?? config.NODE_ENV === 'production',
    }),
    raiseQueryRoute(commandDeps),
    postMessageRoute(commandDeps),
    ...attachmentRoutes(commandDeps),
    ...attachmentReadRoutes(
      { pool, attachments, clock, linkSecrets: guestLinkSecrets },
      parts.scannerName ?? (() => null),
    ),
    ...manageThreadRoutes(commandDeps),
    ...guestLinkRoutes(commandDeps),
    ...satisfactionRoutes(commandDeps, { rateLimiter }),
    ...systemConfigRoutes(commandDeps),
    ...serviceLevelRoutes({
      ...commandDeps,
      async threadsRaisedBetween(from: Date, to: Date, limit: number) {
        const { rows } = await pool.query<{
          thread_id: string;
          query_type: QueryType;
          partner_org_id: string;
          raised_at: Date;
        }>(
          `SELECT thread_id, query_type, partner_org_id, raised_at FROM support_inbox
            WHERE raised_at >= $1 AND raised_at < $2 ORDER BY raised_at, thread_id LIMIT $3`,
          [from, to, limit],
        );
        return rows.map((r) => ({
          threadId: r.thread_id,
          queryType: r.query_type,
          partnerOrgId: r.partner_org_id,
          raisedAt: r.raised_at,
        }));
      },
    }),
    ...assignmentRoutes(directory),
    ...readRoutes({
      pool,
      watcher,
      clock,
      publicConfig,
      attachmentLimits: { ...attachments.limits, scanned: (parts.scannerName?.() ?? null) !== null },
    }),
    ...reportRoutes({ pool, clock, watcher }),
    ...staffRoutes({ accounts }),
    ...accountPreferenceRoutes({ preferences: new AccountPreferenceStore(pool) }),
    ...opsRoutes({ engine, eventStore, rebuilds }),
    ...clientLogRoutes({ pool, rateLimiter, logger }),
    ...auditRoutes({ eventStore, pool, sealKey: parts.sealKey }),
    ...emailRoutes({ pool, config, clock }),
    ...resendWebhookRoutes({ pool, config, rateLimiter, clock, logger }),
    ...suppressionRoutes({ pool, eventStore, clock }),
    ...heldMailRoutes({ pool, eventStore, lookup: postgresInboundLookup(pool, eventStore), clock }),
    ...inboundDeadLetterRoutes({ pool, clock }),
  ]);

  const sendError = errorSender(logger);
  // Every use of a guest token counts, valid or not: brute force meets a wall per address.
  const throttleGuestTokens: RequestHandler = (req, res, next) => {
    if (!req.get('x-guest-token')) return next();
    rateLimiter
      .hit(rateLimitKey('guest-token', req.ip ?? 'unknown'), { limit: 120, windowSeconds: 60 })
      .then((r) => (r.allowed ? next() : sendError(res, problems.tooManyRequests(r.retryAfterSeconds))))
      .catch(next);
  };
  const jwtOptions = hostJwtOptionsFromConfig(config);
  const resolveGuestToken = createGuestTokenResolver(eventStore, clock);
  const live = new LiveHub({
    pool,
    databaseUrl: parts.databaseUrl,
    eventStore,
    logger,
    clock,
    onSessionRevoked: (revocation) => sessions.forgetRevoked(revocation),
    onConfigChanged: () => publicConfig.invalidate(),
    resolveIdentity: createUpgradeIdentityResolver({
      sessions,
      resolveGuestToken,
      allowedOrigins: config.ALLOWED_ORIGINS,
      trustProxy,
      ...(jwtOptions ? { verifyHostJwt: createHostJwtVerifier(jwtOptions) } : {}),
      allowGuestTokenUse: async (ip) =>
        (await rateLimiter.hit(rateLimitKey('guest-token', ip), { limit: 120, windowSeconds: 60 })).allowed,
    }),
  });
  metrics.gauge(
    'support_desk_webhook_deliveries_pending',
    'Resend webhook deliveries recorded and not yet processed',
    [],
    async (g) => g.set(await pendingWebhookDeliveries(pool)),
  );
  metrics.gauge(
    'support_desk_inbound_emails_dead',
    'Received emails given up on after the last attempt (fetching or matching them failed every time)',
    [],
    async (g) => g.set((await inboundDeliveryStats(pool)).dead),
  );
  metrics.gauge(
    'support_desk_delivery_reports_dead',
    'Resend delivery reports given up on after the last attempt (listed with the dead-lettered inbound mail)',
    [],
    async (g) => g.set((await deliveryReportStats(pool)).dead),
  );
  metrics.gauge(
    'support_desk_attachments_scan',
    'Stored files by virus scan state: pending (not served to others yet), infected and unscannable (quarantined)',
    ['state'],
    async (g) => {
      const counts = await scanWorkerCounts(pool, clock());
      g.set({ state: 'pending' }, counts.pending);
      g.set({ state: 'infected' }, counts.infected);
      g.set({ state: 'unscannable' }, counts.unscannable);
    },
  );
  metrics.gauge(
    'support_desk_attachments_oldest_pending_scan_seconds',
    'Age of the oldest file waiting for the virus scanner (0 when none waits)',
    [],
    async (g) => g.set((await scanWorkerCounts(pool, clock())).oldestPendingSeconds ?? 0),
  );
  registerReportMetrics(metrics.registry, pool);
  metrics.gauge('support_desk_live_clients', 'Connected live push clients', [], (g) => g.set(live.clientCount()));
  const identity = identityMiddleware({
    sessions,
    accounts,
    resolveGuestToken,
    allowedOrigins: config.ALLOWED_ORIGINS,
    credentialFreeRoutes: routes
      .filter((r) => r.credentials === 'ignored')
      .map((r) => {
        if (r.access !== 'public' || r.path.includes(':')) {
          throw new Error(
            `${r.method.toUpperCase()} ${r.path}: only public routes without parameters may ignore credentials`,
          );
        }
        return { method: r.method, path: r.path };
      }),
    ...(jwtOptions ? { verifyHostJwt: createHostJwtVerifier(jwtOptions) } : {}),
  });

  const app = createApp({
    logger,
    pool,
    eventStore,
    startedAt: new Date(),
    routes,
    identity: [throttleGuestTokens, identity],
    trustProxy,
    metrics,
    serveWeb: parts.serveWeb ?? false,
    sections: {
      emailQueue: async () => ({ ...(await emailQueueHealth(pool)) }),
      async projections() {
        const statuses = await projectionStatuses(engine, eventStore);
        const lagging = statuses.filter(
          (s) => !s.live || s.live.lastError || (s.lagEvents ?? 0) >= PROJECTION_LAG_LIMIT,
        );
        return { ok: lagging.length === 0, items: statuses };
      },
    },
  });
  return {
    app,
    routes,
    accounts,
    sessions,
    directory,
    rateLimiter,
    idempotency,
    commandDeps,
    attachments,
    engine,
    watcher,
    metrics,
    live,
    publicConfig,
    /** The HTTP server this desk answers on: its listening address is the portal URL's default. */
    servesOn(httpServer: Server) {
      server = httpServer;
    },
    servedOrigin: servedAt,
    async close() {
      await live.close();
      await watcher.close();
    },
  };
}
