import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hashingStream, isBlobKey, type BlobStore, type StoredBlob } from './blobStore.js';

/**
 * Blobs as files under one folder (the embedded default: `blobs/` beside the embedded database):
 * `<root>/<first two hex>/<sha256>`. A write goes to `<root>/incoming/<uuid>` first, hashed on
 * the way, then is linked under its hash (a link fails when the blob exists: written once, never
 * overwritten) and the incoming file removed; a crash leaves at most an incoming file, never a
 * blob under a hash that is not its own. The folder is created with mode 0700 when it does not
 * exist; the desk never changes the mode or owner of a folder it did not create.
 */
export class FileBlobStore implements BlobStore {
  readonly kind = 'filesystem' as const;

  constructor(private readonly root: string) {}

  async put(source: Readable, options: { maxBytes?: number } = {}): Promise<StoredBlob> {
    const incoming = path.join(this.root, 'incoming');
    await mkdir(incoming, { recursive: true, mode: 0o700 });
    const temporary = path.join(incoming, randomUUID());
    const hashing = hashingStream(options.maxBytes);
    try {
      await pipeline(source, hashing, createWriteStream(temporary, { flags: 'wx', mode: 0o600 }));
      const { sha256, size } = hashing.digest();
      const target = this.pathOf(sha256);
      await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      let created = true;
      try {
        await link(temporary, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        created = false;
      }
      return { sha256, size, created };
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async get(sha256: string): Promise<Readable | null> {
    if (!(await this.stat(sha256))) return null;
    return createReadStream(this.pathOf(sha256));
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    if (!isBlobKey(sha256)) return null;
    try {
      return { size: (await stat(this.pathOf(sha256))).size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(sha256: string): Promise<boolean> {
    if (!isBlobKey(sha256)) return false;
    try {
      await unlink(this.pathOf(sha256));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  private pathOf(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }
}
