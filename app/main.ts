import { createServer } from 'node:http';
import path from 'node:path';
import { ChainSealer } from '../workers/chainSealer.js';
import { SlaScheduler } from '../workers/serviceLevels/slaScheduler.js';
import { EmailWorker } from '../workers/email/emailWorker.js';
import { deliveryReportWorkerFromConfig } from '../workers/email/delivery/deliveryReportWorkerFromConfig.js';
import { inboundWorkerFromConfig } from '../workers/email/inbound/inboundWorkerFromConfig.js';
import { LogWaker } from '../workers/logWaker.js';
import { ProjectorRunner } from '../workers/projectorRunner.js';
import { loadSealKey } from '../platform/audit/sealKey.js';
import { loadGuestLinkSecrets } from '../platform/secrets/guestLinkSecret.js';
import { ConfigError, loadConfig } from './config.js';
import { composeApi } from './composeApi.js';
import { composeProjections } from './composeProjections.js';
import { servedOrigin } from '../platform/http/servedOrigin.js';
import { embeddedDataDir, openInfrastructure } from './infrastructure.js';
import { seedDemoServiceLevels, seedDemoThreads } from '../commands/threads/demoThreads.js';
import { createLogger } from '../platform/logger.js';
import { attachmentLimitsOf } from '../platform/attachments/attachmentConfig.js';
import { AttachmentStore } from '../platform/attachments/attachmentStore.js';
import { blobStoreFromConfig } from '../platform/blobs/blobStoreConfig.js';
import { clamdScannerFromUrl } from '../platform/scanning/clamdScanner.js';
import { StagedFileCleanup } from '../workers/attachments/stagedFileCleanup.js';
import { ScanWorker } from '../workers/scanning/scanWorker.js';

const allRoles = ['api', 'projector', 'email'] as const;
type Role = (typeof allRoles)[number];

/**
 * `npm start`: the whole desk in one process, on the embedded Postgres unless DATABASE_URL is
 * set. `npm start -- api` (or `projector`, `email`) runs one part, for docker-compose and scale-out.
 */
async function main(): Promise<void> {
  const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = requested.filter((r) => !(allRoles as readonly string[]).includes(r));
  if (unknown.length)
    throw new ConfigError([`unknown process role(s): ${unknown.join(', ')}; use ${allRoles.join(', ')}`]);
  const roles = new Set<Role>(requested.length ? (requested as Role[]) : allRoles);

  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const infra = await openInfrastructure(config, logger, `support-desk-${[...roles].join('+')}`);
  const dataDir = infra.embedded?.dataDir ?? (await embeddedDataDir(config));
  const seal = await loadSealKey(config.AUDIT_SEAL_KEY, dataDir);
  if (!config.AUDIT_SEAL_KEY && config.NODE_ENV === 'production') {
    logger.warn({ keyFile: seal.source }, 'AUDIT_SEAL_KEY is not set: chain seals use a key file on this machine');
  }
  const guestLinks = await loadGuestLinkSecrets(config, dataDir);
  if (!config.GUEST_LINK_SECRET && config.NODE_ENV === 'production') {
    logger.warn(
      { keyFile: guestLinks.source },
      'GUEST_LINK_SECRET is not set: guest links use a key file on this machine, and an email worker elsewhere cannot put them in emails',
    );
  }
  // attachment bytes: a folder beside the embedded data by default, or an S3-compatible bucket
  const blobStore = blobStoreFromConfig(config, path.dirname(dataDir));
  const scanner = config.CLAMD_URL ? clamdScannerFromUrl(config.CLAMD_URL) : null;
  if (!scanner) logger.info('CLAMD_URL is not set: attachments are not scanned for viruses (marked "not scanned")');
  // the API process scans what it stores (woken at once), and any number of them share the queue
  const scanWorker = roles.has('api')
    ? new ScanWorker({ pool: infra.pool, blobStore, scanner, logger: logger.child({ worker: 'scan' }) })
    : undefined;
  // each role builds only what it runs: the email role no engine, no routes, no HTTP server
  const engine =
    roles.has('api') || roles.has('projector')
      ? composeProjections({ pool: infra.pool, eventStore: infra.eventStore, config })
      : undefined;
  const desk = roles.has('api')
    ? composeApi({
        sealKey: seal.key,
        guestLinkSecrets: guestLinks.secrets,
        serveWeb: true,
        pool: infra.pool,
        databaseUrl: infra.databaseUrl,
        eventStore: infra.eventStore,
        config,
        logger,
        blobStore,
        onFileStored: () => scanWorker?.wake(),
        scannerName: () => (config.CLAMD_URL ? `clamd at ${config.CLAMD_URL}` : null),
        ...(engine ? { engine } : {}),
      })
    : undefined;
  const stops: (() => Promise<void>)[] = [];
  // the workers wait on unref'd timers; without a listening server (a projector or email process)
  // nothing else would keep Node alive while the database is away, and it would quietly end
  const keepAlive = setInterval(() => undefined, 60_000);
  stops.push(async () => clearInterval(keepAlive));
  // one follower of the log wakes every worker of this process (one read per append, not one per worker)
  const waker = new LogWaker(infra.eventStore);
  if (roles.has('projector') || roles.has('email')) await waker.start();

  if (desk && scanWorker) {
    scanWorker.start();
    stops.push(() => scanWorker.stop());
    const cleanup = new StagedFileCleanup({
      attachments: desk.attachments,
      stagedHours: config.ATTACHMENT_STAGED_HOURS,
      logger,
    });
    cleanup.start();
    stops.push(() => cleanup.stop());
  }

  if (roles.has('projector') && engine) {
    const runner = new ProjectorRunner({ engine, logger, waker });
    await runner.start();
    stops.push(() => runner.stop());
    const sealer = new ChainSealer(infra.pool, infra.eventStore, seal.key);
    sealer.start(config.SEAL_INTERVAL_SECONDS, (error) => logger.error({ err: error }, 'sealing chain heads failed'));
    stops.push(async () => sealer.stop());
    const scheduler = new SlaScheduler({ pool: infra.pool, eventStore: infra.eventStore, clock: () => new Date() });
    scheduler.start(config.SLA_SCHEDULER_INTERVAL_SECONDS * 1000, (error) =>
      logger.error({ err: error }, 'recording service-level alerts failed'),
    );
    stops.push(async () => scheduler.stop());
  }

  if (roles.has('email')) {
    const worker = new EmailWorker({
      pool: infra.pool,
      eventStore: infra.eventStore,
      config,
      logger,
      waker,
      // where the API of this process serves; an email process alone derives it from HOST and PORT
      defaultPortalBaseUrl: desk ? desk.servedOrigin : () => servedOrigin(config),
      guestLinkSecrets: guestLinks.secrets,
    });
    await worker.start();
    stops.push(() => worker.stop());
    // replies by email: the recorded email.received deliveries become messages (from Resend's
    // receiving API, or without RESEND_API_KEY from the development mailbox's "Reply as the recipient")
    const inbound = inboundWorkerFromConfig({
      pool: infra.pool,
      eventStore: infra.eventStore,
      config,
      guestLinkSecrets: guestLinks.secrets,
      // the emails' files go where uploads go (an email process alone opens the same blob store)
      attachments: desk?.attachments ?? new AttachmentStore(infra.pool, blobStore, attachmentLimitsOf(config)),
      onFileStored: () => scanWorker?.wake(),
      logger,
    });
    await inbound.start();
    stops.push(() => inbound.stop());
    // what became of the mail sent: Resend's delivery reports become events, bounces and complaints stop mail
    const reports = deliveryReportWorkerFromConfig({ pool: infra.pool, eventStore: infra.eventStore, config, logger });
    await reports.start();
    stops.push(() => reports.stop());
  }

  if (desk) {
    const seed = config.SEED_DEMO === 'true' || (config.SEED_DEMO === 'auto' && infra.embedded !== undefined);
    if (seed) {
      const accounts = await desk.accounts.ensureDemoAccounts();
      const assignments = await desk.directory.ensureDemoAssignments();
      console.log(
        [
          '',
          'Demo accounts (password for all: demo-password-1):',
          ...accounts.map(
            (a) => `  ${a.role.padEnd(8)} ${a.email}${a.partnerOrgId ? `  (organisation ${a.partnerOrgId})` : ''}`,
          ),
          `Demo assignments: ${assignments.map((a) => `${a.reference} (${a.partnerOrgId})`).join(', ')}`,
          '',
        ].join('\n'),
      );
      // demo threads: only on the embedded Postgres, and only into an empty log (a first start)
      if (infra.embedded && (await infra.eventStore.readAll({ limit: 1 })).length === 0) {
        const person = (email: string) => {
          const a = accounts.find((x) => x.email === email);
          return a ? { id: a.id, name: a.name } : undefined;
        };
        const agent = person('agent@demo.test');
        const partners = Object.fromEntries(
          accounts.filter((a) => a.role === 'partner' && a.partnerOrgId).map((a) => [a.partnerOrgId!, a]),
        );
        await seedDemoServiceLevels(infra.eventStore, new Date());
        if (agent) {
          const raised = await seedDemoThreads(infra.eventStore, { agent, partners, assignments }, new Date());
          logger.info({ threads: raised }, 'seeded demo threads on a first start');
        }
      }
    }
    const server = createServer(desk.app);
    desk.servesOn(server);
    desk.live.attach(server);
    await desk.live.start();
    // a burst of connections (a reconnect storm, a load spike) waits in the kernel's accept queue
    // instead of being dropped and retried by the clients seconds later (Node's default is 511)
    await new Promise<void>((resolve) =>
      server.listen({ port: config.PORT, host: config.HOST, backlog: 4096 }, resolve),
    );
    logger.info(
      { url: desk.servedOrigin(), eventStore: infra.eventStore.adapter, docs: '/api/docs' },
      'support desk listening',
    );
    stops.unshift(async () => {
      server.close();
      server.closeAllConnections();
    });
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // an orchestrator would SIGKILL after its grace period anyway; do not hang on a dead database
    setTimeout(() => {
      logger.error({ signal }, 'shutdown did not finish in 15 s: exiting');
      process.exit(1);
    }, 15_000).unref();
    for (const s of stops) await s().catch(() => undefined);
    await waker.stop().catch(() => undefined);
    await desk?.close();
    await infra.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('support desk failed to start:', error);
  }
  process.exit(1);
});
