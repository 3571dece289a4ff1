import type { AttachmentStore } from '../../platform/attachments/attachmentStore.js';
import type { Logger } from '../../platform/logger.js';
import { PollingLoop } from '../email/webhookDeliveryQueue.js';

/**
 * Uploaded files no message took are removed once they are `stagedHours` old (and not used by a
 * command since): their records, and their bytes unless another file has the same. Runs hourly
 * in every API process; two at once remove each file once (the store's delete is the claim).
 */
export class StagedFileCleanup {
  private readonly loop: PollingLoop;

  constructor(
    private readonly options: {
      attachments: AttachmentStore;
      stagedHours: number;
      logger: Logger;
      clock?: () => Date;
      pollMs?: number;
    },
  ) {
    this.loop = new PollingLoop({
      round: () => this.runOnce().then((r) => r.files > 0),
      pollMs: options.pollMs ?? 60 * 60_000,
      label: 'staged file cleanup',
      logger: options.logger,
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One round: removes up to a batch of staged files past their time. */
  async runOnce(): Promise<{ files: number; blobs: number }> {
    const now = (this.options.clock ?? (() => new Date()))();
    const cutoff = new Date(now.getTime() - this.options.stagedHours * 3_600_000);
    const removed = await this.options.attachments.removeStale(cutoff);
    if (removed.files) this.options.logger.info(removed, 'staged files no message took were removed');
    return removed;
  }
}
