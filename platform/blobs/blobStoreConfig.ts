import path from 'node:path';
import { z } from 'zod';
import type { BlobStore } from './blobStore.js';
import { FileBlobStore } from './fileBlobStore.js';
import { S3BlobStore } from './s3BlobStore.js';

/**
 * Where attachment bytes go. `BLOB_STORE=filesystem` (the default): files under `BLOB_DIR`, by
 * default `blobs/` beside the embedded database. `BLOB_STORE=s3`: the bucket `S3_BUCKET` at
 * `S3_ENDPOINT` (unset: AWS), path-style unless `S3_FORCE_PATH_STYLE=false`. The credentials are
 * secrets: never logged, never in an event.
 */
export const blobStoreConfigSchema = z.object({
  BLOB_STORE: z.enum(['filesystem', 's3']).default('filesystem'),
  BLOB_DIR: z.string().trim().min(1).optional(),
  S3_BUCKET: z.string().trim().min(3).max(63).optional(),
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_REGION: z.string().trim().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().trim().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().trim().min(1).optional(),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('true'),
  S3_PREFIX: z
    .string()
    .regex(/^([A-Za-z0-9._-]+\/)*$/, 'must be empty or end with / (folders of letters, digits, . _ -)')
    .default(''),
});

export type BlobStoreConfig = z.infer<typeof blobStoreConfigSchema>;

/**
 * The configured blob store; without BLOB_DIR the filesystem store is `blobs/` in `dataDir` (the
 * folder that holds the embedded database's folder and its key files: `.data/` by default).
 */
export function blobStoreFromConfig(config: BlobStoreConfig, dataDir: string): BlobStore {
  if (config.BLOB_STORE === 'filesystem') return new FileBlobStore(config.BLOB_DIR ?? path.join(dataDir, 'blobs'));
  if (!config.S3_BUCKET) throw new Error('BLOB_STORE=s3 needs S3_BUCKET');
  if (!config.S3_ACCESS_KEY_ID !== !config.S3_SECRET_ACCESS_KEY) {
    throw new Error('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together (or neither, for the default chain)');
  }
  return new S3BlobStore({
    bucket: config.S3_BUCKET,
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE === 'true',
    prefix: config.S3_PREFIX,
    credentials:
      config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
        : undefined,
  });
}
