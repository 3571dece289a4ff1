import { z } from 'zod';

/**
 * What files the desk takes. Every limit is configurable; the defaults are what helpdesks settle
 * on (25 MB a file, 10 files a message). The allow-list names sniffed media types: the type is
 * read from the bytes, never taken from the client.
 */
export const defaultAttachmentMediaTypes = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/heic',
  'image/tiff',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/zip',
  'video/mp4',
  'video/quicktime',
  'audio/mpeg',
] as const;

const mediaTypeList = z
  .string()
  .trim()
  .transform((value) =>
    value
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.string().regex(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/, 'must be media types such as image/png, comma-separated'))
      .min(1, 'must name at least one media type'),
  );

export const attachmentConfigSchema = z.object({
  /** The largest file taken, in bytes (default 25 MiB). */
  ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(5 * 1024 ** 3)
    .default(25 * 1024 * 1024),
  /** Files a message may carry (and an upload request may send). */
  ATTACHMENT_MAX_FILES: z.coerce.number().int().min(1).max(10).default(10),
  /** The media types taken, comma-separated (default: images, PDF, text, office documents, zip, common audio and video). */
  ATTACHMENT_MEDIA_TYPES: mediaTypeList.optional(),
  /** Staged files no message referenced are removed after this many hours. */
  ATTACHMENT_STAGED_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /** How long a file's link in an email works, in days. */
  ATTACHMENT_EMAIL_LINK_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  /**
   * The virus scanner: clamd at `tcp://host:port` or `unix:/path/to/clamd.ctl`. Unset: no scanner;
   * files are marked "not scanned" and served (the web app says so).
   */
  CLAMD_URL: z
    .string()
    .trim()
    .regex(/^(tcp:\/\/[^/:]+:\d{1,5}|unix:\/.+)$/, 'must be tcp://host:port or unix:/path')
    .optional(),
});

export type AttachmentConfig = z.infer<typeof attachmentConfigSchema>;

export interface AttachmentLimits {
  maxBytes: number;
  maxFiles: number;
  mediaTypes: readonly string[];
}

export function attachmentLimitsOf(config: AttachmentConfig): AttachmentLimits {
  return {
    maxBytes: config.ATTACHMENT_MAX_BYTES,
    maxFiles: config.ATTACHMENT_MAX_FILES,
    mediaTypes: config.ATTACHMENT_MEDIA_TYPES ?? defaultAttachmentMediaTypes,
  };
}
