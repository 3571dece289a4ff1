import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { AttachmentData, Resend } from 'resend';
import type { ReceivingApi } from './inboundWorker.js';

/**
 * Resend's receiving API through the SDK, as the inbound worker reads it: the received email
 * with its inline images left as `cid:` references (`html_format: 'cid'`: by default Resend
 * answers them as `data:` URIs, which would hide which part each one is), its attachments with
 * their download URLs (every page), and the download itself: a plain GET of the signed URL,
 * answered as a stream.
 */

/** How long one download may take, headers to last byte (25 MB over a slow link). */
export const DOWNLOAD_TIMEOUT_MS = 5 * 60 * 1000;

export function resendReceivingApi(resend: Resend): ReceivingApi {
  const { receiving } = resend.emails;
  return {
    get: (id) => receiving.get(id, { html_format: 'cid' }),
    attachments: {
      async list({ emailId }) {
        const all: AttachmentData[] = [];
        for (let after: string | undefined; ;) {
          const page = await receiving.attachments.list({ emailId, limit: 100, ...(after ? { after } : {}) });
          if (page.error) return { data: null, error: page.error };
          all.push(...page.data.data);
          after = page.data.data.at(-1)?.id;
          if (!page.data.has_more || !after) return { data: { data: all }, error: null };
        }
      },
      get: (options) => receiving.attachments.get(options),
      download: downloadUrl,
    },
  };
}

/** The bytes behind a signed download URL; 403, 404 and 410 are an expired (or withdrawn) URL; anything else fails. */
export async function downloadUrl(url: string) {
  const res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), redirect: 'follow' });
  if (res.status === 403 || res.status === 404 || res.status === 410) {
    await res.body?.cancel();
    return { kind: 'refused' as const, status: res.status };
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new Error(`attachment download answered ${res.status}`);
  }
  return { kind: 'ok' as const, body: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>) };
}
