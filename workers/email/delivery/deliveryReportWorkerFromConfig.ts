import type pg from 'pg';
import type { EventStore } from '../../../eventstore/port.js';
import type { Logger } from '../../../platform/logger.js';
import type { EmailConfig } from '../emailConfig.js';
import { DeliveryReportWorker, type DeliveryReportWorkerOptions } from './deliveryReportWorker.js';

/**
 * The delivery report worker of the email role. It needs no API key: the reports come in through
 * the webhook route (RESEND_WEBHOOK_SECRET) and are matched to the outbox. EMAIL_MAX_ATTEMPTS
 * attempts per report, EMAIL_POLL_MS between looks.
 */
export function deliveryReportWorkerFromConfig(options: {
  pool: pg.Pool;
  eventStore: EventStore;
  config: Pick<EmailConfig, 'EMAIL_MAX_ATTEMPTS' | 'EMAIL_POLL_MS'>;
  logger?: Logger;
  clock?: () => Date;
  tuning?: Pick<DeliveryReportWorkerOptions, 'leaseMs' | 'backoff' | 'batchSize' | 'random' | 'unknownEmailGraceMs'>;
}): DeliveryReportWorker {
  return new DeliveryReportWorker({
    ...options.tuning,
    pool: options.pool,
    eventStore: options.eventStore,
    maxAttempts: options.config.EMAIL_MAX_ATTEMPTS,
    pollMs: options.config.EMAIL_POLL_MS,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
