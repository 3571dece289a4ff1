import sharp, { type OutputInfo } from 'sharp';
import type { BlobStore } from '../../platform/blobs/blobStore.js';

/**
 * The thumbnail of an image attachment: at most 320×320 (never enlarged), turned upright from its
 * EXIF orientation, as WebP, itself a blob. Only images sharp decodes safely and cheaply: the
 * first frame of an animation, and nothing whose header claims more than `maxInputPixels` (a
 * "pixel bomb", a small file that decodes to gigabytes, fails here instead of eating memory).
 */

/** The media types (as sniffed at upload) that get a thumbnail. */
export const THUMBNAIL_MEDIA_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

export const THUMBNAIL_MAX_SIDE = 320;

/** 40 megapixels (a 8000×5000 photo), far below sharp's default of 268 megapixels. */
export const THUMBNAIL_MAX_INPUT_PIXELS = 40_000_000;

/** A 320×320 WebP is tens of kilobytes: anything far larger is not a thumbnail. */
const THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024;

export interface Thumbnail {
  sha256: string;
  width: number;
  height: number;
}

/** Makes and stores the thumbnail of the blob `sha256`; null when the blob is not in the store. */
export async function makeThumbnail(
  blobStore: BlobStore,
  sha256: string,
  options: { maxInputPixels?: number } = {},
): Promise<Thumbnail | null> {
  const source = await blobStore.get(sha256);
  if (!source) return null;
  const transformer = sharp({
    limitInputPixels: options.maxInputPixels ?? THUMBNAIL_MAX_INPUT_PIXELS,
    failOn: 'error',
    pages: 1,
  })
    .autoOrient()
    .resize({ width: THUMBNAIL_MAX_SIDE, height: THUMBNAIL_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 75, effort: 4 });
  let size: { width: number; height: number } | undefined;
  transformer.on('info', (info: OutputInfo) => {
    size = { width: info.width, height: info.height };
  });
  source.on('error', (error) => transformer.destroy(error));
  source.pipe(transformer);
  try {
    const stored = await blobStore.put(transformer, { maxBytes: THUMBNAIL_MAX_BYTES });
    if (!size) throw new Error('sharp gave no size for the thumbnail');
    return { sha256: stored.sha256, ...size };
  } finally {
    source.destroy();
  }
}
