import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { hashingStream, isBlobKey, type BlobStore, type StoredBlob } from './blobStore.js';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Any S3-compatible endpoint (MinIO, Ceph, R2…); unset: AWS's for the region. */
  endpoint?: string | undefined;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** `http://host/bucket/key` instead of `http://bucket.host/key`: MinIO and the like. */
  forcePathStyle: boolean;
  /** Keys are `<prefix>blobs/<sha256>`; the prefix lets one bucket serve several desks. */
  prefix?: string | undefined;
}

/**
 * Blobs in an S3-compatible bucket, through `@aws-sdk/client-s3`: `<prefix>blobs/<sha256>`. A
 * write streams to `<prefix>incoming/<uuid>` (a multipart upload through `@aws-sdk/lib-storage`,
 * never the whole file in memory), hashed on the way; then, unless a blob with that hash exists,
 * it is copied under its hash, and the incoming object is deleted. Checksums are sent only where
 * S3 requires them, so stores that do not know the newer checksum headers work too.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly prefix: string;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
    this.prefix = options.prefix ?? '';
  }

  async put(source: Readable, options: { maxBytes?: number } = {}): Promise<StoredBlob> {
    const incoming = `${this.prefix}incoming/${randomUUID()}`;
    const hashing = hashingStream(options.maxBytes);
    source.on('error', (error) => hashing.destroy(error));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: incoming, Body: source.pipe(hashing) },
    });
    try {
      await upload.done();
      const { sha256, size } = hashing.digest();
      const created = !(await this.stat(sha256));
      if (created) {
        await this.client.send(
          new CopyObjectCommand({
            Bucket: this.options.bucket,
            Key: this.keyOf(sha256),
            CopySource: `${this.options.bucket}/${incoming}`,
          }),
        );
      }
      return { sha256, size, created };
    } catch (error) {
      await upload.abort().catch(() => undefined);
      throw error;
    } finally {
      await this.client
        .send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: incoming }))
        .catch(() => undefined);
    }
  }

  async get(sha256: string): Promise<Readable | null> {
    if (!isBlobKey(sha256)) return null;
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(sha256) }),
      );
      return answer.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    if (!isBlobKey(sha256)) return null;
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(sha256) }),
      );
      return { size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async delete(sha256: string): Promise<boolean> {
    if (!(await this.stat(sha256))) return false;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(sha256) }));
    return true;
  }

  /** Stops the client's sockets. */
  close(): void {
    this.client.destroy();
  }

  private keyOf(sha256: string): string {
    return `${this.prefix}blobs/${sha256}`;
  }
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404)
  );
}
