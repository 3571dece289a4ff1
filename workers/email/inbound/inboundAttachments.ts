import type { Readable } from 'node:stream';
import type { AttachmentData, GetReceivingEmailResponseSuccess } from 'resend';
import type { AttachmentRef } from '../../../domain/index.js';
import type { AttachmentRefusal } from '../../../platform/attachments/attachmentStore.js';
import { fileSize } from '../templates.js';
import { contentIdKey, inlineImagePath, referencedContentIds } from './inboundInlineImages.js';

/**
 * The files of a received email, fetched and stored like uploads. Resend's webhook and received
 * record carry only their metadata; the bytes are behind a `download_url` that the attachments
 * API hands out and that expires (an hour). Each file is downloaded as a stream straight into the
 * desk's store (`storeFile`: the same sniffing, name cleaning, size and type limits as an upload),
 * so none is held whole in memory. A URL that has expired (or is refused) is asked for afresh
 * through the API, at most twice a file; then the delivery fails and is retried with backoff like
 * any other failed step, and dead-lettered after its last attempt: never retried forever. A file
 * the store refuses is not lost silently: it is answered as refused, with why, for the message's
 * internal note (or the held mail's record).
 *
 * An image part with a Content-ID that the HTML refers to (`cid:`) is an inline image: it is
 * stored with its Content-ID and the kept HTML shows the stored copy. One the HTML does not
 * refer to is an ordinary attachment.
 */

/** An SDK answer: `{ data, error }`, never a throw. */
export type SdkAnswer<T> = { data: T; error: null } | { data: null; error: { message: string; name?: string } };

/** What the worker needs of `resend.emails.receiving.attachments`, and of the download URLs it hands out. */
export interface ReceivedAttachmentsApi {
  list(options: { emailId: string }): Promise<SdkAnswer<{ data: AttachmentData[] }>>;
  get(options: { emailId: string; id: string }): Promise<SdkAnswer<AttachmentData>>;
  /** The bytes behind a download URL, or `refused` when it answers 403, 404 or 410 (expired: ask for a fresh one). */
  download(url: string): Promise<{ kind: 'ok'; body: Readable } | { kind: 'refused'; status: number }>;
}

/** A stored file as the message's command carries it. */
export type InboundAttachmentRef = AttachmentRef;

/** Why a file was not kept: the store's refusals (the upload route's problem codes), or one file too many for a message. */
export type RefusalCode =
  | AttachmentRefusal
  | 'too_many_files'
  /** A worker without a file store (built for text only). */
  | 'no_file_store';

export interface RefusedFile {
  fileName: string;
  sizeBytes: number;
  reason: RefusalCode;
}

/** The desk's `storeFile`, for a file of a received email (uploader: the system, by the received email's id). */
export type StoreInboundFile = (file: {
  stream: Readable;
  /** The id it is stored under: the same for every run of the same email (a retry records it once). */
  attachmentId: string;
  fileName: string;
  /** The inline image's Content-ID without angle brackets; null: an ordinary attachment. */
  contentId: string | null;
  /** The received email's id (Resend's): the uploader of its files. */
  receivedEmailId: string;
}) => Promise<
  | { ok: true; ref: InboundAttachmentRef }
  | { ok: false; reason: Exclude<RefusalCode, 'too_many_files' | 'no_file_store'> }
>;

export interface ReceivedFiles {
  /** The stored files, in the email's order. */
  refs: InboundAttachmentRef[];
  refused: RefusedFile[];
  /** The stored inline images: Content-ID key (`contentIdKey`) → the path of the stored copy. */
  inlineImages: Map<string, string>;
}

/** Fresh download URLs asked for per file before the delivery is failed (and retried later with backoff). */
export const FRESH_URLS_PER_FILE = 2;

export interface ReceiveAttachmentsDeps {
  attachments: ReceivedAttachmentsApi;
  store: StoreInboundFile;
  clock: () => Date;
  /** The id a file of the email is stored under, from the email's Message-ID and the file's Resend id. */
  attachmentIdOf: (resendAttachmentId: string) => string;
  /** ATTACHMENT_MAX_BYTES: a larger file is refused without downloading it (the store would refuse it too). */
  maxBytes?: number;
  /** Files one message carries at most; those past it are refused (`too_many_files`). */
  maxFiles: number;
}

/** Fetches and stores every file of `email`; nothing is asked of Resend for an email without any. */
export async function receiveAttachments(
  deps: ReceiveAttachmentsDeps,
  email: Pick<GetReceivingEmailResponseSuccess, 'id' | 'html' | 'attachments'>,
): Promise<ReceivedFiles> {
  const received: ReceivedFiles = { refs: [], refused: [], inlineImages: new Map() };
  if (!email.attachments?.length) return received;
  const listed = await deps.attachments.list({ emailId: email.id });
  if (listed.error) throw new Error(`emails.receiving.attachments.list(${email.id}): ${sdkError(listed.error)}`);
  const urls = new Map(listed.data.data.map((a) => [a.id, a]));
  const referenced = referencedContentIds(email.html);
  for (const meta of email.attachments) {
    const fileName = meta.filename ?? urls.get(meta.id)?.filename ?? 'attachment';
    const cid = meta.content_id ?? urls.get(meta.id)?.content_id ?? null;
    const inline = cid !== null && meta.content_type.startsWith('image/') && referenced.has(contentIdKey(cid));
    if (received.refs.length === deps.maxFiles) {
      received.refused.push({ fileName, sizeBytes: meta.size, reason: 'too_many_files' });
      continue;
    }
    if (deps.maxBytes !== undefined && meta.size > deps.maxBytes) {
      received.refused.push({ fileName, sizeBytes: meta.size, reason: 'attachment_too_large' });
      continue;
    }
    const body = await download(deps, email.id, meta.id, urls.get(meta.id));
    let stored: Awaited<ReturnType<StoreInboundFile>>;
    try {
      stored = await deps.store({
        stream: body,
        attachmentId: deps.attachmentIdOf(meta.id),
        fileName,
        contentId: inline ? bareContentId(cid) : null,
        receivedEmailId: email.id,
      });
    } finally {
      // what the store did not read (a refusal, a failure) is not downloaded on
      body.destroy();
    }
    if (!stored.ok) {
      received.refused.push({ fileName, sizeBytes: meta.size, reason: stored.reason });
      continue;
    }
    received.refs.push(stored.ref);
    if (inline && stored.ref.contentId !== null) {
      received.inlineImages.set(contentIdKey(cid), inlineImagePath(stored.ref.attachmentId));
    }
  }
  return received;
}

/** The file's bytes: through its listed URL while it works, else through fresh ones (at most FRESH_URLS_PER_FILE). */
async function download(
  deps: ReceiveAttachmentsDeps,
  emailId: string,
  id: string,
  listed: AttachmentData | undefined,
): Promise<Readable> {
  let current = listed;
  for (let fresh = 0; ; fresh++) {
    // a URL past its expires_at is not even tried: Resend would refuse it
    if (current && Date.parse(current.expires_at) > deps.clock().getTime()) {
      const got = await deps.attachments.download(current.download_url);
      if (got.kind === 'ok') return got.body;
    }
    if (fresh === FRESH_URLS_PER_FILE) {
      throw new Error(`attachment ${id} of received email ${emailId}: no download URL worked (${fresh} fresh ones)`);
    }
    const again = await deps.attachments.get({ emailId, id });
    if (again.error) throw new Error(`emails.receiving.attachments.get(${emailId}, ${id}): ${sdkError(again.error)}`);
    current = again.data;
  }
}

/** A Content-ID as the attachments table keeps it: without angle brackets. */
function bareContentId(id: string): string {
  const trimmed = id.trim();
  return trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1).trim() : trimmed;
}

function sdkError(error: { message: string; name?: string }): string {
  return `${error.name ?? 'error'}: ${error.message}`;
}

/** How the internal note (or the held mail's record) says why a file of the email was not kept. */
export function refusedFileLine(file: RefusedFile, limits: { maxBytes?: number; maxFiles?: number } = {}): string {
  const { maxBytes, maxFiles } = limits;
  const why: Record<RefusalCode, string> = {
    too_many_files: `a message carries at most ${maxFiles ?? 'so many'} files`,
    no_file_store: 'this email worker keeps no files',
    attachment_too_large: `it is larger than the limit${maxBytes ? ` of ${fileSize(maxBytes)}` : ''}`,
    attachment_type_not_allowed: 'this type of file is not accepted',
    attachment_type_mismatch: 'its contents are not what its name says',
  };
  return `${file.fileName} (${fileSize(file.sizeBytes)}): ${why[file.reason]}`;
}

/** The internal note listing the files of an email that were not kept. */
export function refusedFilesNote(
  sender: string,
  refused: readonly RefusedFile[],
  limits: { maxBytes?: number; maxFiles?: number } = {},
): string {
  const lines = refused.map((file) => `- ${refusedFileLine(file, limits)}`);
  const files = refused.length === 1 ? 'A file' : `${refused.length} files`;
  return `${files} of the email from ${sender} could not be attached:\n${lines.join('\n')}`;
}
