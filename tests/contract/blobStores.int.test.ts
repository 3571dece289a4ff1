import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { blobStoreConfigSchema } from '../../platform/blobs/blobStoreConfig.js';
import { FileBlobStore } from '../../platform/blobs/fileBlobStore.js';
import { S3BlobStore } from '../../platform/blobs/s3BlobStore.js';
import { testSeed } from '../support/seededRandom.js';
import { blobStoreContract } from './blobStoreContract.js';

/**
 * The blob store contract against each adapter: the file system in a folder of its own; an
 * S3-compatible server running on this machine (`s3rver`, on a port of its own, its data in a
 * folder of its own); and a real bucket whenever S3_BUCKET is set (with S3_ENDPOINT, S3_REGION,
 * S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY as the desk reads them), under a prefix of its own.
 */

const seed = testSeed('blob stores');

blobStoreContract(
  'filesystem',
  async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'desk-blobs-'));
    return {
      store: new FileBlobStore(root),
      leftovers: async () => (await readdir(path.join(root, 'incoming')).catch(() => [])).length,
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  },
  seed,
);

/** The objects under `prefix`incoming/ of a bucket: partial writes left behind. */
async function incomingObjects(client: S3Client, bucket: string, prefix: string): Promise<number> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}incoming/` }));
  return listed.KeyCount ?? 0;
}

blobStoreContract(
  's3 (s3rver on this machine)',
  async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'desk-s3rver-'));
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
    const { port } = (await server.run()) as AddressInfo;
    const options = {
      bucket: 'desk-blobs',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    };
    const admin = new S3Client({ ...options, requestChecksumCalculation: 'WHEN_REQUIRED' });
    await admin.send(new CreateBucketCommand({ Bucket: options.bucket }));
    const store = new S3BlobStore(options);
    return {
      store,
      leftovers: () => incomingObjects(admin, options.bucket, ''),
      async cleanup() {
        store.close();
        admin.destroy();
        await server.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  },
  seed,
);

const real = blobStoreConfigSchema.parse(process.env);
if (real.S3_BUCKET) {
  blobStoreContract(
    `s3 (the bucket ${real.S3_BUCKET})`,
    async () => {
      const prefix = `${real.S3_PREFIX}desk-contract-${seed}-${Date.now()}/`;
      const options = {
        bucket: real.S3_BUCKET!,
        endpoint: real.S3_ENDPOINT,
        region: real.S3_REGION,
        forcePathStyle: real.S3_FORCE_PATH_STYLE === 'true',
        prefix,
        credentials:
          real.S3_ACCESS_KEY_ID && real.S3_SECRET_ACCESS_KEY
            ? { accessKeyId: real.S3_ACCESS_KEY_ID, secretAccessKey: real.S3_SECRET_ACCESS_KEY }
            : undefined,
      };
      const admin = new S3Client({
        region: options.region,
        forcePathStyle: options.forcePathStyle,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
      const store = new S3BlobStore(options);
      return {
        store,
        leftovers: () => incomingObjects(admin, options.bucket, prefix),
        async cleanup() {
          store.close();
          admin.destroy();
        },
      };
    },
    seed,
  );
} else {
  const reason = 'no S3_BUCKET is set (the bucket, endpoint and credentials of a real store)';
  console.log(`blob store contract: a real bucket not run here: ${reason}`);
}
