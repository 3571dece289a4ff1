import { fileTypeFromBuffer } from 'file-type';
import { extensionOf } from './fileNames.js';

/**
 * How many bytes the sniffer reads: file-type needs 4,100 for most signatures, more to look into
 * a zip for the office document inside it.
 */
export const SNIFF_BYTES = 64 * 1024;

/** Names that say "text": the only files taken without a signature in their bytes. */
const textExtensions: Record<string, string> = {
  txt: 'text/plain',
  log: 'text/plain',
  csv: 'text/csv',
  md: 'text/plain',
};

/**
 * Other extensions each sniffed type may carry besides the sniffer's own (file-type names one
 * extension per type: jpg for JPEG, so .jpeg and .jpe are also JPEG).
 */
const aliases: Record<string, readonly string[]> = {
  'image/jpeg': ['jpg', 'jpeg', 'jpe', 'jfif'],
  'image/tiff': ['tif', 'tiff'],
  'image/heic': ['heic', 'heif'],
  'video/quicktime': ['mov', 'qt'],
  'video/mp4': ['mp4', 'm4v'],
  'audio/mpeg': ['mp3', 'mpga'],
  // an office document whose parts the sample did not reach is still a zip
  'application/zip': ['zip', 'docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp'],
};

export type Sniffed =
  | { ok: true; mediaType: string }
  /** No type was recognised, or the bytes are not what the name's extension says. */
  | { ok: false; reason: 'unknown' | 'mismatch'; mediaType: string | null };

/**
 * The media type of a file, from its first bytes: file-type's signature, else text when the name
 * says text and the bytes look like it (UTF-8, no NUL). The name's extension must fit what the
 * bytes are: an executable named `.pdf` is refused as a mismatch. A name without an extension
 * takes the sniffed type as it is.
 */
export async function sniffMediaType(head: Uint8Array, fileName: string): Promise<Sniffed> {
  const ext = extensionOf(fileName);
  const detected = await fileTypeFromBuffer(head);
  if (detected) {
    const fits = !ext || ext === detected.ext || (aliases[detected.mime] ?? []).includes(ext);
    return fits ? { ok: true, mediaType: detected.mime } : { ok: false, reason: 'mismatch', mediaType: detected.mime };
  }
  const text = textExtensions[ext];
  if (text && looksLikeText(head)) return { ok: true, mediaType: text };
  return { ok: false, reason: 'unknown', mediaType: null };
}

function looksLikeText(head: Uint8Array): boolean {
  if (head.includes(0)) return false;
  try {
    // a multi-byte character cut at the end of the sample is fine; anything else invalid is not text
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, trimPartialUtf8(head)));
    return true;
  } catch {
    return false;
  }
}

/** The length of `bytes` without a UTF-8 sequence cut off at its end. */
function trimPartialUtf8(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = bytes[end - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? end - back : end;
  }
  return end;
}

/** What may be shown inline (in the page, or in the browser's own viewer): images and PDF. */
export function isInlineType(mediaType: string): boolean {
  return ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'].includes(mediaType);
}

export function isImageType(mediaType: string): boolean {
  return ['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(mediaType);
}
