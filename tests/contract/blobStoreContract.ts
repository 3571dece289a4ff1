import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobTooLargeError, type BlobStore } from '../../platform/blobs/blobStore.js';

/**
 * What every blob store must do, run against each adapter (`blobStores.int.test.ts`): the file
 * system, an S3-compatible server on this machine, and a real bucket whenever S3_* is set.
 */

export interface BlobStoreHarness {
  store: BlobStore;
  /** Partial writes left behind (incoming files or objects): none, after any put, good or bad. */
  leftovers(): Promise<number>;
  cleanup(): Promise<void>;
}

/** Bytes from a seeded PRNG (mulberry32), so a failure replays with the same file. */
export function seededBytes(seed: number, size: number): Buffer {
  let a = seed >>> 0;
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const value = (t ^ (t >>> 14)) >>> 0;
    for (let j = 0; j < 4 && i + j < size; j++) out[i + j] = (value >>> (8 * j)) & 0xff;
  }
  return out;
}

/** A stream of `bytes` in chunks of `chunk` bytes (as an upload arrives). */
function streamOf(bytes: Buffer, chunk = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    })(),
  );
}

async function readAll(stream: Readable | null): Promise<Buffer | null> {
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export function blobStoreContract(name: string, makeHarness: () => Promise<BlobStoreHarness>, seed: number): void {
  describe(`blob store contract: ${name} (seed ${seed})`, () => {
    let h: BlobStoreHarness;
    let n = 0;
    /** A file of its own for each test (seeded), so no test reads another's blob. */
    const file = (size: number) => seededBytes(seed + ++n, size);

    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => {
      await h?.cleanup();
    });

    it('stores a file under the SHA-256 of its bytes and gives back the very bytes', async () => {
      const bytes = file(200_003);
      const stored = await h.store.put(streamOf(bytes));
      expect(stored).toEqual({ sha256: sha(bytes), size: bytes.length, created: true });
      expect(await h.store.stat(stored.sha256)).toEqual({ size: bytes.length });
      expect((await readAll(await h.store.get(stored.sha256)))!.equals(bytes)).toBe(true);
      expect(await h.leftovers()).toBe(0);
    });

    it('stores the same file sent twice once', async () => {
      const bytes = file(50_000);
      const first = await h.store.put(streamOf(bytes));
      const second = await h.store.put(streamOf(bytes, 7_000));
      expect(first.created).toBe(true);
      expect(second).toEqual({ sha256: first.sha256, size: bytes.length, created: false });
      expect((await readAll(await h.store.get(first.sha256)))!.equals(bytes)).toBe(true);
      expect(await h.leftovers()).toBe(0);
    });

    it('streams a file of several parts (larger than one multipart part) through intact', async () => {
      const bytes = file(12 * 1024 * 1024 + 17);
      const stored = await h.store.put(streamOf(bytes, 256 * 1024));
      expect(stored.sha256).toBe(sha(bytes));
      const back = await readAll(await h.store.get(stored.sha256));
      expect(back && sha(back)).toBe(stored.sha256);
    });

    it('refuses a file past the limit, storing nothing of it', async () => {
      const bytes = file(300_000);
      await expect(h.store.put(streamOf(bytes), { maxBytes: 100_000 })).rejects.toBeInstanceOf(BlobTooLargeError);
      expect(await h.store.stat(sha(bytes))).toBeNull();
      expect(await h.leftovers()).toBe(0);
      // at the limit exactly, it is stored
      const fits = file(100_000);
      expect((await h.store.put(streamOf(fits), { maxBytes: 100_000 })).size).toBe(100_000);
    });

    it('stores nothing of a file whose upload breaks off', async () => {
      const bytes = file(120_000);
      const broken = Readable.from(
        (async function* () {
          yield bytes.subarray(0, 60_000);
          throw new Error('the client went away');
        })(),
      );
      await expect(h.store.put(broken)).rejects.toThrow();
      expect(await h.store.stat(sha(bytes))).toBeNull();
      expect(await h.store.stat(sha(bytes.subarray(0, 60_000)))).toBeNull();
      expect(await h.leftovers()).toBe(0);
    });

    it('answers nothing for an unknown or malformed key, and erases what it has', async () => {
      const unknown = sha(file(10));
      expect(await h.store.get(unknown)).toBeNull();
      expect(await h.store.stat(unknown)).toBeNull();
      expect(await h.store.delete(unknown)).toBe(false);
      for (const bad of ['../../etc/passwd', 'A'.repeat(64), '', `${unknown}/x`]) {
        expect(await h.store.get(bad)).toBeNull();
        expect(await h.store.stat(bad)).toBeNull();
        expect(await h.store.delete(bad)).toBe(false);
      }
      const bytes = file(1_000);
      const { sha256 } = await h.store.put(streamOf(bytes));
      expect(await h.store.delete(sha256)).toBe(true);
      expect(await h.store.get(sha256)).toBeNull();
      expect(await h.store.delete(sha256)).toBe(false);
    });

    it('takes the same file from several writers at once, and keeps it whole', async () => {
      const bytes = file(80_000);
      const results = await Promise.all([1, 2, 3, 4].map((i) => h.store.put(streamOf(bytes, 5_000 * i))));
      expect(new Set(results.map((r) => r.sha256))).toEqual(new Set([sha(bytes)]));
      expect(results.some((r) => r.created)).toBe(true);
      expect((await readAll(await h.store.get(sha(bytes))))!.equals(bytes)).toBe(true);
      expect(await h.leftovers()).toBe(0);
    });
  });
}
