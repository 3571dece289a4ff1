import { ApiError, errorText } from './api';
import type { Attachment, Message } from './types';

/**
 * Files on messages, as the web app sees them: the limits of an upload, and the words for a
 * file's size, its scan state and a refused upload.
 */

export type AttachmentView = Attachment;
export type ScanState = Attachment['scan'];

export interface AttachmentLimits {
  maxBytes: number;
  maxFiles: number;
}

/**
 * The desk's default limits (25 MiB a file, 10 files a message: ATTACHMENT_MAX_BYTES and
 * ATTACHMENT_MAX_FILES), until the public config has said the configured ones.
 */
export const defaultAttachmentLimits: AttachmentLimits = { maxBytes: 26_214_400, maxFiles: 10 };

/** The limits the desk announces in its public config, or the defaults while it loads. */
export function limitsOf(
  config: { attachments?: { maxBytes: number; maxFiles: number } } | undefined,
): AttachmentLimits {
  const announced = config?.attachments;
  return announced ? { maxBytes: announced.maxBytes, maxFiles: announced.maxFiles } : defaultAttachmentLimits;
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

/** While a file of these messages waits for the virus scan, its state (and its links) change without a push: look again. */
export const SCAN_REFRESH_MS = 5_000;
export function awaitsScan(messages: readonly Pick<Message, 'attachments'>[]): boolean {
  return messages.some((m) => m.attachments.some((a) => a.scan === 'pending' && !a.erased));
}

/**
 * Whether this reader can fetch the file now. The desk's view is one for every reader of an
 * audience, so its `url` is there even while the file is being scanned, when only its uploader
 * (the message's author, for a file sent from the web) may fetch it.
 */
export function fetchableNow(attachment: Pick<Attachment, 'url' | 'scan'>, mine: boolean): boolean {
  return attachment.url !== null && (attachment.scan !== 'pending' || mine);
}
