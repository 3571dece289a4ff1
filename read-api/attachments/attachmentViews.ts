import type pg from 'pg';
import { z } from 'zod';
import { isImageType, isInlineType } from '../../platform/attachments/mediaTypes.js';

/**
 * A file as readers see it beside its message. The same for every reader of an audience (the live
 * push shares one frame among them), so it carries no per-reader right: `url` is always the
 * download route, which checks who asks. Internal notes' files are only in staff views, like the
 * notes themselves.
 */
export const scanStatuses = ['pending', 'clean', 'infected', 'not_scanned', 'unscannable'] as const;

export const attachmentView = z
  .object({
    attachmentId: z.string(),
    fileName: z.string(),
    sizeBytes: z.number().int(),
    mediaType: z.string().meta({ description: 'Sniffed from the bytes when it was uploaded' }),
    scan: z.enum(scanStatuses).meta({
      description:
        'pending: not scanned yet (served to its uploader only); clean; infected (quarantined, never served); ' +
        'not_scanned (no virus scanner is configured: served); unscannable (the scanner could not scan it: not served)',
    }),
    erased: z
      .object({ at: z.string(), by: z.string(), reason: z.string().nullable() })
      .nullable()
      .meta({ description: 'An admin erased its bytes; the reason is shown to staff only' }),
    url: z.string().nullable().meta({ description: 'Download (Content-Disposition: attachment); null once erased' }),
    previewUrl: z.string().nullable().meta({ description: 'Shown inline (images and PDF only), when served at all' }),
    thumbnailUrl: z.string().nullable().meta({ description: 'A scaled-down WebP of an image, once it exists' }),
    inline: z.boolean().meta({ description: 'An inline image of a received email (its HTML shows it in place)' }),
  })
  .meta({ id: 'Attachment' });

export type AttachmentView = z.infer<typeof attachmentView>;

export const attachmentPath = (attachmentId: string) => `/api/support/attachments/${attachmentId}`;

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

export function toAttachmentView(
  r: Record<string, unknown>,
  audience: 'staff' | 'public',
  scan: { status: string; thumbnail_sha256?: unknown } | undefined,
): AttachmentView {
  const id = String(r.attachment_id);
  const mediaType = String(r.media_type);
  const status = (scanStatuses as readonly string[]).includes(scan?.status ?? '')
    ? (scan!.status as AttachmentView['scan'])
    : 'pending';
  const erased = r.erased_at
    ? {
        at: iso(r.erased_at),
        by: String(r.erased_by_name ?? ''),
        reason: audience === 'staff' ? ((r.erase_reason as string | null) ?? null) : null,
      }
    : null;
  const servable = !erased && status !== 'infected' && status !== 'unscannable';
  return {
    attachmentId: id,
    fileName: String(r.file_name),
    sizeBytes: Number(r.size_bytes),
    mediaType,
    scan: status,
    erased,
    url: servable ? attachmentPath(id) : null,
    previewUrl: servable && isInlineType(mediaType) ? `${attachmentPath(id)}?disposition=inline` : null,
    thumbnailUrl:
      servable && isImageType(mediaType) && scan?.thumbnail_sha256 ? `${attachmentPath(id)}/thumbnail` : null,
    inline: r.content_id != null,
  };
}

/**
 * The files of some messages (a thread's, or the messages of a push), by message, in their order;
 * `audience: 'public'` leaves out those of internal notes. One query.
 */
export async function attachmentsByMessage(
  pool: pg.Pool,
  where: { threadId: string } | { messageIds: readonly string[] },
  audience: 'staff' | 'public',
): Promise<Map<string, AttachmentView[]>> {
  const byMessage = new Map<string, AttachmentView[]>();
  if ('messageIds' in where && where.messageIds.length === 0) return byMessage;
  const filter = 'threadId' in where ? 'a.thread_id = $1' : 'a.message_id = ANY($1::uuid[])';
  const { rows } = await pool.query(
    `SELECT a.*, s.status AS scan_status, s.thumbnail_sha256
       FROM support_attachments a LEFT JOIN blob_scans s ON s.sha256 = a.sha256
      WHERE ${filter} ${audience === 'public' ? "AND a.visibility = 'external'" : ''}
      ORDER BY a.message_id, a.position`,
    ['threadId' in where ? where.threadId : where.messageIds],
  );
  for (const r of rows) {
    const view = toAttachmentView(r, audience, {
      status: String(r.scan_status ?? 'pending'),
      thumbnail_sha256: r.thumbnail_sha256,
    });
    const key = String(r.message_id);
    const list = byMessage.get(key);
    if (list) list.push(view);
    else byMessage.set(key, [view]);
  }
  return byMessage;
}
