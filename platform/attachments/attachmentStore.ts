import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type pg from 'pg';
import type { AttachmentRef } from '../../domain/index.js';
import { BlobTooLargeError, type BlobStore } from '../blobs/blobStore.js';
import { inTransaction } from '../database/transaction.js';
import type { PersonIdentity } from '../identity/identity.js';
import type { AttachmentLimits } from './attachmentConfig.js';
import { cleanFileName } from './fileNames.js';
import { SNIFF_BYTES, sniffMediaType } from './mediaTypes.js';

/**
 * The uploads and what is known of their bytes (migration 0017). A file is stored in the blob
 * store under its SHA-256 and recorded here as its uploader's, staged until a message command
 * references it; the message's event then copies its facts (AttachmentRef), and this row stays
 * as the file's record. Uploads over HTTP and the files of received emails come through
 * `storeFile` alike: one sniffing, one cleaning of names, one size limit.
 */

/** Who uploaded a file: only they may read it, or post it, while it is staged. */
export interface Uploader {
  kind: 'staff' | 'partner' | 'guest' | 'system';
  id: string;
}

export function uploaderOf(identity: PersonIdentity): Uploader {
  return identity.kind === 'guest'
    ? { kind: 'guest', id: identity.linkId }
    : { kind: identity.kind, id: identity.accountId };
}

export type AttachmentRefusal = 'attachment_too_large' | 'attachment_type_not_allowed' | 'attachment_type_mismatch';

/** A file the desk does not take; nothing of it was stored. */
export class AttachmentRefusedError extends Error {
  constructor(
    readonly code: AttachmentRefusal,
    readonly fileName: string,
    readonly detail: string,
    /** What the bytes were sniffed as, when anything. */
    readonly mediaType: string | null = null,
  ) {
    super(detail);
    this.name = 'AttachmentRefusedError';
  }
}

/** Staged files per uploader, at most (uploads beyond are refused until some are posted or removed). */
export const STAGED_FILES_PER_UPLOADER = 100;

export type ScanStatus = 'pending' | 'clean' | 'infected' | 'not_scanned' | 'unscannable';

export interface ScanState {
  status: ScanStatus;
  detail: string | null;
  thumbnailSha256: string | null;
}

export interface StagedAttachment extends AttachmentRef {
  uploader: Uploader;
  uploadedAt: Date;
  threadId: string | null;
  messageId: string | null;
}

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

function toStaged(r: Record<string, unknown>): StagedAttachment {
  return {
    attachmentId: String(r.attachment_id),
    sha256: String(r.sha256),
    sizeBytes: Number(r.size_bytes),
    mediaType: String(r.media_type),
    fileName: String(r.file_name),
    contentId: (r.content_id as string | null) ?? null,
    uploader: { kind: r.uploader_kind as Uploader['kind'], id: String(r.uploader_id) },
    uploadedAt: r.uploaded_at as Date,
    threadId: (r.thread_id as string | null) ?? null,
    messageId: (r.message_id as string | null) ?? null,
  };
}

/** A lock per SHA-256, so that a cleanup never deletes bytes an upload of the same file is just recording. */
const lockBlob = (client: pg.PoolClient, sha256: string) =>
  client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 18))', [`blob:${sha256}`]);

export class AttachmentStore {
  constructor(
    private readonly pool: pg.Pool,
    readonly blobs: BlobStore,
    readonly limits: AttachmentLimits,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Streams one file into the blob store and records it as `uploader`'s staged file. The media
   * type is sniffed from the first bytes and must be allowed and fit the name's extension; past
   * the size limit the write stops. A refusal throws AttachmentRefusedError and stores nothing;
   * the caller drains what is left of `source`.
   */
  async storeFile(input: {
    source: Readable;
    claimedName: string | undefined;
    uploader: Uploader;
    contentId?: string | null;
    attachmentId?: string;
  }): Promise<StagedAttachment> {
    const fileName = cleanFileName(input.claimedName);
    const { maxBytes, mediaTypes } = this.limits;
    let mediaType = '';
    const sniffer = sniffingStream(async (head) => {
      const sniffed = await sniffMediaType(head, fileName);
      if (!sniffed.ok && sniffed.reason === 'mismatch') {
        throw new AttachmentRefusedError(
          'attachment_type_mismatch',
          fileName,
          `“${fileName}” is not what its name says: its contents are ${sniffed.mediaType ?? 'another kind of file'}. Rename it or send another file.`,
          sniffed.mediaType,
        );
      }
      if (!sniffed.ok || !mediaTypes.includes(sniffed.mediaType)) {
        throw new AttachmentRefusedError(
          'attachment_type_not_allowed',
          fileName,
          `“${fileName}” is a kind of file the desk does not take. Send an image, a PDF, a text or office document instead.`,
          sniffed.ok ? sniffed.mediaType : null,
        );
      }
      mediaType = sniffed.mediaType;
    });
    // the refusal reaches the caller through put(); the stream's own error event must not go unheard
    sniffer.on('error', () => undefined);
    const onSourceError = (error: Error) => sniffer.destroy(error);
    input.source.once('error', onSourceError);
    input.source.pipe(sniffer);
    let stored;
    try {
      stored = await this.blobs.put(sniffer, { maxBytes });
    } catch (error) {
      input.source.unpipe(sniffer);
      if (error instanceof BlobTooLargeError) {
        throw new AttachmentRefusedError(
          'attachment_too_large',
          fileName,
          `“${fileName}” is larger than ${megabytes(maxBytes)}, the largest file the desk takes. Send a smaller file, or a link to it.`,
        );
      }
      throw error;
    } finally {
      input.source.off('error', onSourceError);
    }
    const attachmentId = input.attachmentId ?? randomUUID();
    const now = this.clock();
    const rows = await this.withBlobLock(stored.sha256, async (client) => {
      const { rows: inserted } = await client.query(
        `INSERT INTO attachments (attachment_id, uploader_kind, uploader_id, sha256, size_bytes, media_type, file_name,
                                  content_id, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (attachment_id) DO NOTHING RETURNING *`,
        [
          attachmentId,
          input.uploader.kind,
          input.uploader.id,
          stored.sha256,
          stored.size,
          mediaType,
          fileName,
          input.contentId ?? null,
          now,
        ],
      );
      await client.query(
        `INSERT INTO blob_scans (sha256, status, created_at) VALUES ($1, 'pending', $2) ON CONFLICT (sha256) DO NOTHING`,
        [stored.sha256, now],
      );
      // a cleanup that removed these very bytes just before the lock: they are gone, so is this upload
      if (!(await this.blobs.stat(stored.sha256)))
        throw new Error('the file was removed while it was stored; send it again');
      return inserted;
    });
    if (rows[0]) return toStaged(rows[0]);
    // the same id again (a received email's attachment, fetched twice): the first record stands
    const existing = await this.byId(attachmentId);
    if (!existing) throw new Error(`attachment ${attachmentId} vanished`);
    return existing;
  }

  async byId(attachmentId: string): Promise<StagedAttachment | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM attachments WHERE attachment_id = $1', [attachmentId]);
    return rows[0] ? toStaged(rows[0]) : undefined;
  }

  /** How many files `uploader` has staged and not posted (a bound on what one person can park here). */
  async stagedCount(uploader: Uploader): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM attachments
        WHERE uploader_kind = $1 AND uploader_id = $2 AND message_id IS NULL`,
      [uploader.kind, uploader.id],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Claims the files a message command names for that message, if each is `uploader`'s own and
   * on no other message: the claim is the mark (thread and message set at once), so two commands
   * can never both carry one file. The same message may claim again (a retried command). Answers
   * the files found and the positions in `attachmentIds` of those not found.
   */
  async claimForMessage(
    attachmentIds: readonly string[],
    uploader: Uploader,
    target: { threadId: string; messageId: string },
  ): Promise<{ found: StagedAttachment[]; missing: number[] }> {
    if (!attachmentIds.length) return { found: [], missing: [] };
    const { rows } = await this.pool.query(
      `UPDATE attachments SET used_at = $4, thread_id = $5, message_id = $6
        WHERE attachment_id = ANY($1::uuid[]) AND uploader_kind = $2 AND uploader_id = $3 AND erased_at IS NULL
          AND (message_id IS NULL OR message_id = $6)
        RETURNING *`,
      [attachmentIds, uploader.kind, uploader.id, this.clock(), target.threadId, target.messageId],
    );
    const byId = new Map(rows.map((r) => [String(r.attachment_id), toStaged(r)]));
    const found: StagedAttachment[] = [];
    const missing: number[] = [];
    attachmentIds.forEach((id, i) => {
      const file = byId.get(id);
      if (file) found.push(file);
      else missing.push(i);
    });
    return { found, missing };
  }

  /** Removes files an upload request stored before it was refused (they were never answered). */
  async discardStaged(attachmentIds: readonly string[], uploader: Uploader): Promise<void> {
    if (!attachmentIds.length) return;
    const { rows } = await this.pool.query<{ sha256: string }>(
      `DELETE FROM attachments
        WHERE attachment_id = ANY($1::uuid[]) AND uploader_kind = $2 AND uploader_id = $3 AND message_id IS NULL
        RETURNING sha256`,
      [attachmentIds, uploader.kind, uploader.id],
    );
    for (const sha256 of new Set(rows.map((r) => r.sha256)))
      await this.withBlobLock(sha256, (c) => this.removeBytesIfUnused(c, sha256));
  }

  private withBlobLock<T>(sha256: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      await lockBlob(client, sha256);
      return work(client);
    });
  }

  /** Gives claimed files back to their uploader (the message was refused, or never appended). */
  async releaseClaim(attachmentIds: readonly string[], messageId: string): Promise<void> {
    if (!attachmentIds.length) return;
    await this.pool.query(
      `UPDATE attachments SET thread_id = NULL, message_id = NULL
        WHERE attachment_id = ANY($1::uuid[]) AND message_id = $2`,
      [attachmentIds, messageId],
    );
  }

  async scanStates(sha256s: readonly string[]): Promise<Map<string, ScanState>> {
    const states = new Map<string, ScanState>();
    if (!sha256s.length) return states;
    const { rows } = await this.pool.query(
      'SELECT sha256, status, detail, thumbnail_sha256 FROM blob_scans WHERE sha256 = ANY($1::text[])',
      [[...new Set(sha256s)]],
    );
    for (const r of rows) {
      states.set(String(r.sha256), {
        status: r.status as ScanStatus,
        detail: (r.detail as string | null) ?? null,
        thumbnailSha256: (r.thumbnail_sha256 as string | null) ?? null,
      });
    }
    return states;
  }

  /**
   * After an erase: marks the file's record erased and removes the bytes (and their thumbnail)
   * unless another file that is not erased has the same bytes. True when the bytes were removed.
   */
  async eraseBytes(attachmentId: string, sha256: string): Promise<boolean> {
    return this.withBlobLock(sha256, async (client) => {
      await client.query('UPDATE attachments SET erased_at = $2 WHERE attachment_id = $1 AND erased_at IS NULL', [
        attachmentId,
        this.clock(),
      ]);
      return this.removeBytesIfUnused(client, sha256);
    });
  }

  /** Inside a transaction holding the blob's lock: removes its bytes when no live record names them. */
  private async removeBytesIfUnused(client: pg.PoolClient, sha256: string): Promise<boolean> {
    const { rowCount } = await client.query(
      'SELECT 1 FROM attachments WHERE sha256 = $1 AND erased_at IS NULL LIMIT 1',
      [sha256],
    );
    if (rowCount) return false;
    const { rows } = await client.query<{ thumbnail_sha256: string | null }>(
      'DELETE FROM blob_scans WHERE sha256 = $1 RETURNING thumbnail_sha256',
      [sha256],
    );
    await this.blobs.delete(sha256);
    const thumbnail = rows[0]?.thumbnail_sha256;
    if (thumbnail) await this.blobs.delete(thumbnail);
    return true;
  }

  /**
   * Removes staged files no message carries: never claimed (or given back), uploaded and last used
   * before `cutoff`, and on no message the threads read model knows of (`support_attachments`).
   * Their bytes go too, unless another record names them. A file claimed by a command that never
   * appended (the process stopped between) is kept: losing a posted file would be worse than
   * keeping a stray one. Answers how many files and blobs went.
   */
  async removeStale(cutoff: Date, batch = 500): Promise<{ files: number; blobs: number }> {
    const { rows: model } = await this.pool.query<{ present: boolean }>(
      "SELECT to_regclass('support_attachments') IS NOT NULL AS present",
    );
    // before the threads read model exists nothing can tell a posted file from a staged one
    if (!model[0]?.present) return { files: 0, blobs: 0 };
    const { rows } = await this.pool.query<{ attachment_id: string; sha256: string }>(
      `DELETE FROM attachments WHERE attachment_id IN (
         SELECT a.attachment_id FROM attachments a
          WHERE a.message_id IS NULL AND a.uploaded_at < $1 AND (a.used_at IS NULL OR a.used_at < $1)
            AND NOT EXISTS (SELECT 1 FROM support_attachments s WHERE s.attachment_id = a.attachment_id)
          ORDER BY a.uploaded_at LIMIT $2)
       RETURNING attachment_id, sha256`,
      [cutoff, batch],
    );
    let blobs = 0;
    for (const sha256 of new Set(rows.map((r) => r.sha256))) {
      if (await this.withBlobLock(sha256, (client) => this.removeBytesIfUnused(client, sha256))) blobs++;
    }
    return { files: rows.length, blobs };
  }

  /** For the ops page: what is stored, what waits for the scanner, what is quarantined. */
  async figures(): Promise<AttachmentFigures> {
    const [{ rows: totals }, { rows: scans }, { rows: quarantined }] = await Promise.all([
      this.pool.query<{ files: string; blobs: string; bytes: string | null; staged: string }>(
        `SELECT count(*) FILTER (WHERE erased_at IS NULL) AS files,
                count(*) FILTER (WHERE message_id IS NULL AND erased_at IS NULL) AS staged,
                (SELECT count(*) FROM blob_scans) AS blobs,
                (SELECT sum(size_bytes) FROM (SELECT DISTINCT ON (sha256) size_bytes FROM attachments
                                               WHERE erased_at IS NULL) d) AS bytes
           FROM attachments`,
      ),
      this.pool.query<{ status: string; n: string; oldest: Date | null }>(
        'SELECT status, count(*) AS n, min(created_at) AS oldest FROM blob_scans GROUP BY status',
      ),
      this.pool.query(
        `SELECT a.attachment_id, a.file_name, a.media_type, a.size_bytes, a.thread_id, a.uploaded_at,
                a.uploader_kind, s.status, s.detail, s.scanned_at
           FROM attachments a JOIN blob_scans s ON s.sha256 = a.sha256
          WHERE s.status IN ('infected', 'unscannable') AND a.erased_at IS NULL
          ORDER BY a.uploaded_at DESC LIMIT 100`,
      ),
    ]);
    const byStatus = new Map(scans.map((s) => [s.status, s]));
    const oldestPending = byStatus.get('pending')?.oldest ?? null;
    return {
      files: Number(totals[0]?.files ?? 0),
      stagedFiles: Number(totals[0]?.staged ?? 0),
      blobs: Number(totals[0]?.blobs ?? 0),
      storedBytes: Number(totals[0]?.bytes ?? 0),
      pendingScan: Number(byStatus.get('pending')?.n ?? 0),
      oldestPendingSeconds: oldestPending
        ? Math.max(0, Math.round((this.clock().getTime() - oldestPending.getTime()) / 1000))
        : null,
      infected: Number(byStatus.get('infected')?.n ?? 0),
      unscannable: Number(byStatus.get('unscannable')?.n ?? 0),
      notScanned: Number(byStatus.get('not_scanned')?.n ?? 0),
      quarantined: quarantined.map((r) => ({
        attachmentId: String(r.attachment_id),
        fileName: String(r.file_name),
        mediaType: String(r.media_type),
        sizeBytes: Number(r.size_bytes),
        threadId: (r.thread_id as string | null) ?? null,
        uploadedAt: (r.uploaded_at as Date).toISOString(),
        uploaderKind: String(r.uploader_kind),
        status: r.status === 'infected' ? ('infected' as const) : ('unscannable' as const),
        detail: (r.detail as string | null) ?? null,
        scannedAt: r.scanned_at ? (r.scanned_at as Date).toISOString() : null,
      })),
    };
  }
}

export interface AttachmentFigures {
  files: number;
  stagedFiles: number;
  blobs: number;
  storedBytes: number;
  pendingScan: number;
  oldestPendingSeconds: number | null;
  infected: number;
  unscannable: number;
  notScanned: number;
  quarantined: {
    attachmentId: string;
    fileName: string;
    mediaType: string;
    sizeBytes: number;
    threadId: string | null;
    uploadedAt: string;
    uploaderKind: string;
    status: 'infected' | 'unscannable';
    detail: string | null;
    scannedAt: string | null;
  }[];
}

/**
 * A pass-through that holds the first SNIFF_BYTES (or the whole file, when smaller) until
 * `decide(head)` has judged them; a refusal fails the stream before a byte goes on.
 */
function sniffingStream(decide: (head: Buffer) => Promise<void>): Transform {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let decided = false;
  const release = (stream: Transform, callback: (error?: Error | null) => void) => {
    const head = Buffer.concat(held);
    held = [];
    decide(head).then(
      () => {
        decided = true;
        stream.push(head);
        callback();
      },
      (error: Error) => callback(error),
    );
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (decided) return callback(null, chunk);
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes < SNIFF_BYTES) return callback();
      release(this, callback);
    },
    flush(callback) {
      if (decided) return callback();
      release(this, callback);
    },
  });
}
