import type pg from 'pg';
import { Resend } from 'resend';
import type { EventStore } from '../../../eventstore/port.js';
import type { Logger } from '../../../platform/logger.js';
import type { EmailConfig } from '../emailConfig.js';
import { bareAddress, replyAddresses } from '../replyAddress.js';
import { InboundWorker, type InboundWorkerOptions } from './inboundWorker.js';
import { postgresInboundLookup } from './postgresInboundLookup.js';

/**
 * The inbound worker of the email role, from its config: Resend's receiving API through the SDK
 * (RESEND_API_KEY, RESEND_BASE_URL), reply addresses verified at INBOUND_EMAIL_DOMAIN with the
 * guest link secrets, EMAIL_MAX_ATTEMPTS attempts per delivery. Null without RESEND_API_KEY:
 * nothing can be fetched then (the development mailbox receives nothing yet).
 */
export function inboundWorkerFromConfig(options: {
  pool: pg.Pool;
  eventStore: EventStore;
  config: EmailConfig;
  guestLinkSecrets: readonly string[];
  logger?: Logger;
  clock?: () => Date;
  tuning?: Pick<InboundWorkerOptions, 'leaseMs' | 'backoff' | 'batchSize' | 'random'>;
}): InboundWorker | null {
  const { config } = options;
  if (!config.RESEND_API_KEY) return null;
  const resend = new Resend(config.RESEND_API_KEY, config.RESEND_BASE_URL ? { baseUrl: config.RESEND_BASE_URL } : {});
  const domain = config.INBOUND_EMAIL_DOMAIN;
  return new InboundWorker({
    ...options.tuning,
    pool: options.pool,
    eventStore: options.eventStore,
    receiving: { get: (id) => resend.emails.receiving.get(id) },
    lookup: postgresInboundLookup(options.pool, options.eventStore),
    ...(domain && options.guestLinkSecrets.length
      ? { replyAddresses: replyAddresses({ secrets: options.guestLinkSecrets, domain }) }
      : {}),
    ownAddresses: [bareAddress(config.EMAIL_FROM)],
    maxAttempts: config.EMAIL_MAX_ATTEMPTS,
    pollMs: config.EMAIL_POLL_MS,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
