import type pg from 'pg';
import { Resend } from 'resend';
import type { EventStore } from '../../../eventstore/port.js';
import type { Logger } from '../../../platform/logger.js';
import { inboundDomainOf, type EmailConfig } from '../emailConfig.js';
import { bareAddress, replyAddresses } from '../replyAddress.js';
import type { AttachmentStore } from '../../../platform/attachments/attachmentStore.js';
import { devReceivingApi } from './devReceiving.js';
import { inboundFileStoreOf } from './inboundFileStore.js';
import { InboundWorker, type InboundWorkerOptions, type ReceivingApi } from './inboundWorker.js';
import { postgresInboundLookup } from './postgresInboundLookup.js';
import { resendReceivingApi } from './resendReceiving.js';

/**
 * The inbound worker of the email role, from its config: Resend's receiving API through the SDK
 * (RESEND_API_KEY, RESEND_BASE_URL), reply addresses verified at INBOUND_EMAIL_DOMAIN with the
 * guest link secrets, EMAIL_MAX_ATTEMPTS attempts per delivery. Without RESEND_API_KEY, the
 * development mailbox's receiving side (`devReceiving.ts`: "Reply as the recipient"), with reply
 * addresses at INBOUND_EMAIL_DOMAIN or the mailbox's own domain. The emails' files go into the
 * desk's attachment store, like uploads.
 */
export function inboundWorkerFromConfig(options: {
  pool: pg.Pool;
  eventStore: EventStore;
  config: EmailConfig;
  guestLinkSecrets: readonly string[];
  /** Where the received emails' files go (the desk's attachment store); without it none is fetched, each is noted as not kept. */
  attachments?: AttachmentStore;
  /** Wakes the scan worker of this process when a file was stored. */
  onFileStored?: () => void;
  logger?: Logger;
  clock?: () => Date;
  tuning?: Pick<InboundWorkerOptions, 'leaseMs' | 'backoff' | 'batchSize' | 'random'>;
}): InboundWorker {
  const { config } = options;
  let receiving: ReceivingApi;
  if (config.RESEND_API_KEY) {
    const resend = new Resend(config.RESEND_API_KEY, config.RESEND_BASE_URL ? { baseUrl: config.RESEND_BASE_URL } : {});
    receiving = resendReceivingApi(resend);
  } else {
    receiving = devReceivingApi(options.pool);
  }
  const domain = inboundDomainOf(config);
  return new InboundWorker({
    ...options.tuning,
    pool: options.pool,
    eventStore: options.eventStore,
    receiving,
    ...(options.attachments ? { files: inboundFileStoreOf(options.attachments, options.onFileStored) } : {}),
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
