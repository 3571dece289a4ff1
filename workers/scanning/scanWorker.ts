import type pg from 'pg';
import { backoffDelay, type Backoff } from '../../platform/backoff.js';
import type { BlobStore } from '../../platform/blobs/blobStore.js';
import type { Logger } from '../../platform/logger.js';
import { ScannerUnavailableError, type ScanVerdict, type VirusScanner } from '../../platform/scanning/virusScanner.js';
import { PollingLoop } from '../email/webhookDeliveryQueue.js';
import { makeThumbnail, THUMBNAIL_MEDIA_TYPES, type Thumbnail } from './thumbnail.js';

/**
 * The scan worker: what is known of each blob's bytes (`blob_scans`, one row per SHA-256, inserted
 * 'pending' by the upload) is found out here. A round claims the pending rows that are due with
 * `FOR UPDATE SKIP LOCKED` in one short statement that leases them (attempts + 1, due again only
 * when the lease ends), so any number of workers scan each blob once and one that dies leaves its
 * rows due again; then each blob is streamed from the blob store to the scanner and the verdict
 * recorded. A scanner that cannot be reached leaves the row pending, due again after a capped
 * backoff, and unscannable after the last attempt. With no scanner configured the bytes are
 * recorded 'not_scanned'. Clean or not scanned, an image gets a thumbnail; a thumbnail that fails
 * is logged and left out, the file is served all the same.
 */

export type ScanStatus = 'pending' | 'clean' | 'infected' | 'not_scanned' | 'unscannable';

export interface ScanWorkerOptions {
  pool: pg.Pool;
  blobStore: BlobStore;
  /** null: no CLAMD_URL, the bytes are recorded 'not_scanned'. */
  scanner: VirusScanner | null;
  logger: Logger;
  clock?: (() => Date) | undefined;
  /** The pause between rounds that found nothing (an upload in this process calls `wake()`). Default 5 s. */
  pollMs?: number | undefined;
  /** How long a claimed row is this worker's before another may take it. Default 5 minutes. */
  leaseMs?: number | undefined;
  /** Attempts before a blob the scanner could not be asked about becomes unscannable. Default 10. */
  maxAttempts?: number | undefined;
  /** The wait before the next attempt. Default 15 s doubling to 30 minutes: the 10 attempts span about an hour and a half. */
  backoff?: Backoff | undefined;
  /** Rows claimed at once. Default 4. */
  batchSize?: number | undefined;
  /** Images whose header claims more pixels get no thumbnail. Default `THUMBNAIL_MAX_INPUT_PIXELS`. */
  thumbnailMaxInputPixels?: number | undefined;
}

export const SCAN_MAX_ATTEMPTS = 10;
export const SCAN_BACKOFF: Backoff = { baseMs: 15_000, capMs: 30 * 60_000 };
export const SCANNER_UNREACHABLE = 'the scanner could not be reached';
export const BLOB_MISSING = 'the file is not in the blob store';

interface ClaimedScan {
  sha256: string;
  /** Attempts so far, this one included. */
  attempts: number;
}

/** What became of a claimed row. */
type Outcome =
  | { status: 'clean' | 'infected' | 'unscannable' | 'not_scanned'; detail: string | null; scanner: string | null }
  | { status: 'retry'; error: unknown };

export class ScanWorker {
  private readonly clock: () => Date;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly backoff: Backoff;
  private readonly batchSize: number;
  private readonly loop: PollingLoop;

  constructor(private readonly options: ScanWorkerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.maxAttempts = options.maxAttempts ?? SCAN_MAX_ATTEMPTS;
    this.backoff = options.backoff ?? SCAN_BACKOFF;
    this.batchSize = options.batchSize ?? 4;
    this.loop = new PollingLoop({
      round: async () => (await this.runOnce()) > 0,
      pollMs: options.pollMs ?? 5_000,
      label: 'attachment scan',
      logger: options.logger,
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Ends the loop once the current round is done. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** An upload in this process asks for a round now rather than at the next poll. */
  wake(): void {
    this.loop.wake();
  }

  /** Handles every row that is due now, batch after batch; answers how many. */
  async runOnce(): Promise<number> {
    let handled = 0;
    for (;;) {
      const claimed = await this.claim();
      if (claimed.length === 0) return handled;
      // the version line is asked once per batch: it is the record of what scanned these bytes
      const version = await this.scannerVersion();
      for (const row of claimed) {
        await this.handle(row, version);
        handled++;
      }
    }
  }

  private async claim(): Promise<ClaimedScan[]> {
    const now = this.clock();
    const { rows } = await this.options.pool.query<ClaimedScan>(
      `WITH due AS (
         SELECT sha256 FROM blob_scans
          WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
          ORDER BY next_attempt_at NULLS FIRST, created_at, sha256
          LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE blob_scans b
          SET attempts = b.attempts + 1, next_attempt_at = $1::timestamptz + make_interval(secs => $3)
         FROM due WHERE b.sha256 = due.sha256
       RETURNING b.sha256, b.attempts`,
      [now, this.batchSize, this.leaseMs / 1000],
    );
    return rows;
  }

  private async scannerVersion(): Promise<{ line: string } | { error: unknown } | null> {
    const { scanner } = this.options;
    if (!scanner) return null;
    try {
      return { line: await scanner.version() };
    } catch (error) {
      return { error };
    }
  }

  private async handle(row: ClaimedScan, version: { line: string } | { error: unknown } | null): Promise<void> {
    const outcome = await this.scan(row, version);
    if (outcome.status === 'retry') {
      await this.retryOrGiveUp(row, outcome.error);
      return;
    }
    const thumbnail =
      outcome.status === 'clean' || outcome.status === 'not_scanned' ? await this.thumbnailOf(row.sha256) : null;
    await this.record(row.sha256, outcome, thumbnail);
  }

  private async scan(row: ClaimedScan, version: { line: string } | { error: unknown } | null): Promise<Outcome> {
    const { scanner, blobStore } = this.options;
    if (!scanner || !version) {
      return { status: 'not_scanned', detail: null, scanner: null };
    }
    if ('error' in version) return { status: 'retry', error: version.error };
    try {
      const source = await blobStore.get(row.sha256);
      if (!source) return { status: 'unscannable', detail: BLOB_MISSING, scanner: version.line };
      let verdict: ScanVerdict;
      try {
        verdict = await scanner.scan(source);
      } finally {
        source.destroy();
      }
      switch (verdict.status) {
        case 'clean':
          return { status: 'clean', detail: null, scanner: version.line };
        case 'infected':
          return { status: 'infected', detail: verdict.signature, scanner: version.line };
        case 'unscannable':
          return { status: 'unscannable', detail: verdict.reason, scanner: version.line };
        default: {
          const unknown: never = verdict;
          throw new Error(`unknown verdict ${JSON.stringify(unknown)}`);
        }
      }
    } catch (error) {
      // the scanner down, or the blob store failing a read: both pass, the bytes are asked about again
      return { status: 'retry', error };
    }
  }

  private async retryOrGiveUp(row: ClaimedScan, error: unknown): Promise<void> {
    const sha256 = row.sha256;
    if (row.attempts >= this.maxAttempts) {
      const detail =
        error instanceof ScannerUnavailableError
          ? SCANNER_UNREACHABLE
          : `the scan failed ${row.attempts} times: ${errorMessage(error)}`.slice(0, 1000);
      this.options.logger.error(
        { scan: { sha256, attempts: row.attempts }, err: error },
        'attachment scan gave up: the file is unscannable',
      );
      await this.record(sha256, { status: 'unscannable', detail, scanner: null }, null);
      return;
    }
    const waitMs = backoffDelay(row.attempts - 1, this.backoff);
    this.options.logger.warn(
      { scan: { sha256, attempts: row.attempts, retryInMs: waitMs }, err: error },
      'attachment scan failed; retrying',
    );
    await this.options.pool.query(
      `UPDATE blob_scans SET next_attempt_at = $2 WHERE sha256 = $1 AND status = 'pending'`,
      [sha256, new Date(this.clock().getTime() + waitMs)],
    );
  }

  private async record(
    sha256: string,
    outcome: Exclude<Outcome, { status: 'retry' }>,
    thumbnail: Thumbnail | null,
  ): Promise<void> {
    await this.options.pool.query(
      `UPDATE blob_scans
          SET status = $2, detail = $3, scanner = $4, scanned_at = $5, next_attempt_at = NULL,
              thumbnail_sha256 = $6, thumbnail_width = $7, thumbnail_height = $8
        WHERE sha256 = $1 AND status = 'pending'`,
      [
        sha256,
        outcome.status,
        outcome.detail?.slice(0, 1000) ?? null,
        outcome.scanner,
        outcome.status === 'not_scanned' ? null : this.clock(),
        thumbnail?.sha256 ?? null,
        thumbnail?.width ?? null,
        thumbnail?.height ?? null,
      ],
    );
    const log = outcome.status === 'infected' ? this.options.logger.warn : this.options.logger.info;
    log.call(
      this.options.logger,
      { scan: { sha256, status: outcome.status, detail: outcome.detail, thumbnail: thumbnail !== null } },
      `attachment bytes ${outcome.status}`,
    );
  }

  /** A thumbnail when some attachment with these bytes is an image; a failure is logged, never thrown. */
  private async thumbnailOf(sha256: string): Promise<Thumbnail | null> {
    const { rows } = await this.options.pool.query(
      `SELECT 1 FROM attachments WHERE sha256 = $1 AND media_type = ANY($2::text[]) LIMIT 1`,
      [sha256, THUMBNAIL_MEDIA_TYPES],
    );
    if (rows.length === 0) return null;
    try {
      return await makeThumbnail(this.options.blobStore, sha256, {
        ...(this.options.thumbnailMaxInputPixels !== undefined
          ? { maxInputPixels: this.options.thumbnailMaxInputPixels }
          : {}),
      });
    } catch (error) {
      this.options.logger.warn({ scan: { sha256 }, err: error }, 'attachment thumbnail failed; the file has none');
      return null;
    }
  }
}

export interface ScanWorkerCounts {
  pending: number;
  infected: number;
  unscannable: number;
  /** How long the oldest pending blob has waited, in whole seconds; null when none is pending. */
  oldestPendingSeconds: number | null;
}

/** The scan queue at a glance, for the ops page and metrics. */
export async function scanWorkerCounts(pool: pg.Pool, now: Date = new Date()): Promise<ScanWorkerCounts> {
  const { rows } = await pool.query<{
    pending: string;
    infected: string;
    unscannable: string;
    oldest_pending_seconds: string | null;
  }>(
    `SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
            count(*) FILTER (WHERE status = 'infected') AS infected,
            count(*) FILTER (WHERE status = 'unscannable') AS unscannable,
            floor(extract(epoch FROM $1::timestamptz - min(created_at) FILTER (WHERE status = 'pending')))
              AS oldest_pending_seconds
       FROM blob_scans`,
    [now],
  );
  const row = rows[0];
  return {
    pending: Number(row?.pending ?? 0),
    infected: Number(row?.infected ?? 0),
    unscannable: Number(row?.unscannable ?? 0),
    oldestPendingSeconds:
      row?.oldest_pending_seconds === null || row?.oldest_pending_seconds === undefined
        ? null
        : Math.max(0, Number(row.oldest_pending_seconds)),
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
