import { ApiError, errorText } from './api';

/**
 * Files on messages, as the web app sees them: a message's attachments as this reader may see
 * them (the desk sets a URL only when this reader may fetch the file now), the limits of an
 * upload, and the words for a file's scan state and for a refused upload.
 */

export type ScanState = 'pending' | 'clean' | 'infected' | 'not_scanned' | 'unscannable';

export interface AttachmentView {
  attachmentId: string;
  fileName: string;
  sizeBytes: number;
  mediaType: string;
  scan: ScanState;
  erased: { at: string; by: string | null; reason: string | null } | null;
  /** Relative paths; null when this reader may not fetch the file now. */
  downloadUrl: string | null;
  previewUrl: string | null;
  thumbnailUrl: string | null;
  /** An inline image of a received email. */
  inline: boolean;
}

export interface AttachmentLimits {
  maxBytes: number;
  maxFiles: number;
}

/** The desk's defaults (25 MiB a file, 10 files a message), used when the public config says nothing. */
export const defaultAttachmentLimits: AttachmentLimits = { maxBytes: 26_214_400, maxFiles: 10 };

/** The limits from the public config, where it carries them. */
export function attachmentLimits(config: unknown): AttachmentLimits {
  const c = (config && typeof config === 'object' ? config : {}) as Record<string, unknown>;
  const nested = (c.attachments && typeof c.attachments === 'object' ? c.attachments : {}) as Record<string, unknown>;
  const positive = (...values: unknown[]) =>
    values.find((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
  return {
    maxBytes: positive(nested.maxBytes, c.attachmentMaxBytes) ?? defaultAttachmentLimits.maxBytes,
    maxFiles: positive(nested.maxFiles, c.attachmentMaxFiles) ?? defaultAttachmentLimits.maxFiles,
  };
}

/** 1234567 → "1.2 MB" (decimal units, as people read file sizes). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = value < 10 ? 1 : 0;
  return `${value.toFixed(digits).replace(/\.0$/, '')} ${units[unit]}`;
}

/** The limit as it is said: 26214400 → "25 MB" (binary mebibytes read as megabytes, as every uploader says). */
export function formatLimit(bytes: number): string {
  const mib = bytes / 1_048_576;
  return Number.isInteger(mib) ? `${mib} MB` : formatBytes(bytes);
}

export const isImage = (a: Pick<AttachmentView, 'mediaType'>) => a.mediaType.startsWith('image/');
export const isPdf = (a: Pick<AttachmentView, 'mediaType'>) => a.mediaType === 'application/pdf';

/** A scan state worth a chip (clean says nothing), in plain words. */
export function scanText(scan: ScanState): string | null {
  switch (scan) {
    case 'clean':
      return null;
    case 'pending':
      return 'Scanning…';
    case 'not_scanned':
      return 'Not scanned: no virus scanner is configured';
    case 'infected':
      return 'Blocked: a virus was found';
    case 'unscannable':
      return 'Could not be scanned';
    default: {
      const unknown: never = scan;
      return String(unknown);
    }
  }
}

const refusalByCode: Record<string, (limits: AttachmentLimits) => string> = {
  attachment_too_large: (l) => `This file is too large. Files can be up to ${formatLimit(l.maxBytes)}.`,
  attachment_type_not_allowed: () => 'Files of this type cannot be attached.',
  attachment_type_mismatch: () => 'This file is not what its name says it is, so it cannot be attached.',
  attachment_infected: () => 'This file was blocked: a virus was found in it.',
};

/**
 * Why an upload was refused, for the person: the desk's own sentence (`detail`) when it gave one,
 * else a sentence for the refusal's code, else the usual error text.
 */
export function refusalText(error: unknown, limits: AttachmentLimits = defaultAttachmentLimits): string {
  if (error instanceof ApiError) {
    if (error.detail) return errorText(error);
    const field = error.fieldErrors.file;
    if (field) return sentence(field);
    const byCode = error.code ? refusalByCode[error.code] : undefined;
    if (byCode) return byCode(limits);
    if (error.status === 413) return refusalByCode.attachment_too_large!(limits);
    if (error.status === 415) return refusalByCode.attachment_type_not_allowed!(limits);
  }
  return errorText(error);
}

function sentence(text: string): string {
  const t = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** A message's files as the thread view carries them (none on a desk or a message without). */
export function messageAttachments(message: object): AttachmentView[] {
  const list = (message as { attachments?: unknown }).attachments;
  return Array.isArray(list) ? (list as AttachmentView[]) : [];
}

/** GET /api/ops/attachments: what the blob store holds, what waits for the scanner, what it quarantined. */
export interface OpsAttachments {
  stored: { files: number; bytes: number };
  pendingScans: number;
  quarantined: {
    attachmentId: string;
    fileName: string;
    threadId: string | null;
    sha256: string;
    sizeBytes: number;
    /** What the scanner found (its signature's name). */
    signature: string | null;
    scannedAt: string | null;
  }[];
}

/** While a file of these messages waits for the virus scan, its state (and its links) change without a push: look again. */
export const SCAN_REFRESH_MS = 5_000;
export function awaitsScan(messages: readonly object[]): boolean {
  return messages.some((m) => messageAttachments(m).some((a) => a.scan === 'pending' && !a.erased));
}
