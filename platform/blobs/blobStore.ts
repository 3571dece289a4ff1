import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';

/**
 * Where the bytes of attachments live: never in the event store. A blob store is
 * content-addressed: a blob's key is the SHA-256 of its bytes (lowercase hex), so the same file
 * sent twice is stored once, and the hash an event records names exactly the bytes that were
 * sent. Two adapters: the local file system (the embedded default, `fileBlobStore.ts`) and any
 * S3-compatible store (`s3BlobStore.ts`); one contract suite (`tests/contract/blobStoreContract.ts`)
 * holds both to the same rules.
 */

export interface StoredBlob {
  sha256: string;
  size: number;
  /** False when a blob with these bytes was already stored (nothing was written twice). */
  created: boolean;
}

export interface BlobStore {
  readonly kind: 'filesystem' | 's3';
  /**
   * Streams `source` in (never whole in memory), hashing it on the way, and stores it under its
   * SHA-256. `maxBytes`: past it the write stops, nothing is stored, and `BlobTooLargeError` is thrown.
   */
  put(source: Readable, options?: { maxBytes?: number }): Promise<StoredBlob>;
  /** The blob's bytes as a stream, or null when there is none under that hash. */
  get(sha256: string): Promise<Readable | null>;
  /** Its size, or null when there is none. */
  stat(sha256: string): Promise<{ size: number } | null>;
  /** Removes the bytes (an admin's erase); true when there were any. */
  delete(sha256: string): Promise<boolean>;
}

export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

/** A SHA-256 as blob stores key them: 64 lowercase hex characters (anything else names no blob). */
export function isBlobKey(sha256: string): boolean {
  return /^[0-9a-f]{64}$/.test(sha256);
}

/**
 * A pass-through that hashes and counts what flows through it, and fails the stream once more than
 * `maxBytes` went by. `digest()` answers once the stream has ended.
 */
export function hashingStream(maxBytes = Number.POSITIVE_INFINITY): Transform & {
  digest(): { sha256: string; size: number };
} {
  const hash = createHash('sha256');
  let size = 0;
  let sha256: string | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > maxBytes) {
        callback(new BlobTooLargeError(maxBytes));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      sha256 = hash.digest('hex');
      callback();
    },
  });
  return Object.assign(stream, {
    digest() {
      if (sha256 === undefined) throw new Error('the stream has not ended');
      return { sha256, size };
    },
  });
}
