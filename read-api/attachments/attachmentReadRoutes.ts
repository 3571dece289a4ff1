import contentDisposition from 'content-disposition';
import type pg from 'pg';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { AttachmentStore } from '../../platform/attachments/attachmentStore.js';
import { uploaderOf } from '../../platform/attachments/attachmentStore.js';
import { isImageType, isInlineType } from '../../platform/attachments/mediaTypes.js';
import { verifyAttachmentLink } from '../../platform/attachments/signedLinks.js';
import { HttpProblem, problems } from '../../platform/http/problem.js';
import { plainWords } from '../../platform/http/plainWords.js';
import { implement, routeContract, type RouteResult } from '../../platform/http/route.js';
import { publicReaderMayRead, supportManagers, type Identity } from '../../platform/identity/identity.js';

/**
 * Fetching a file: the same rights as reading its message (staff any; a partner their
 * organisation's threads; a guest their link's; an internal note's files staff only), a staged
 * file only its uploader. What is served is never the browser's to interpret: the sniffed type,
 * `attachment` unless an image or PDF is asked for inline, nosniff, and a CSP that sandboxes it.
 */

export interface AttachmentReadDependencies {
  pool: pg.Pool;
  attachments: AttachmentStore;
  clock: () => Date;
  /** The secrets signed links in emails are checked with (the guest link secret, then the one before). */
  linkSecrets: readonly string[];
}

const staffReaders = [...supportManagers, 'auditor', 'ops'] as const;
const fileParams = z.object({ attachmentId: z.uuid() });
const binary = z.string().meta({ format: 'binary' });
const dispositionQuery = z.object({
  disposition: z
    .enum(['attachment', 'inline'])
    .optional()
    .meta({ description: 'inline: shown in the browser (images and PDF only; anything else is always attachment)' }),
});

export const downloadAttachment = routeContract({
  method: 'get',
  path: '/api/support/attachments/:attachmentId',
  operationId: 'downloadAttachment',
  summary: 'A file’s bytes',
  description:
    'For whoever may read its message; a staged file (not yet on a message) for its uploader only. ' +
    'Not served while it waits for the virus scan (409, but to its uploader), when a virus was found or it could not ' +
    'be scanned (403), or once erased (410). ETag is its SHA-256.',
  tags: ['Attachments'],
  access: [...staffReaders, 'partner', 'guest'],
  params: fileParams,
  query: dispositionQuery,
  binaryResponse: { mediaTypes: ['application/octet-stream'] },
  response: { status: 200, description: 'The file', schema: binary },
  errors: [404, 409, 410],
});

export const attachmentThumbnail = routeContract({
  method: 'get',
  path: '/api/support/attachments/:attachmentId/thumbnail',
  operationId: 'attachmentThumbnail',
  summary: 'A scaled-down copy of an image (WebP)',
  description: 'The same rights as the file; 404 when there is none (yet).',
  tags: ['Attachments'],
  access: [...staffReaders, 'partner', 'guest'],
  params: fileParams,
  binaryResponse: { mediaTypes: ['image/webp'] },
  response: { status: 200, description: 'The thumbnail', schema: binary },
  errors: [404, 409, 410],
});

export const signedAttachment = routeContract({
  method: 'get',
  path: '/api/attachments/:attachmentId/signed',
  operationId: 'signedAttachment',
  summary: 'A file by the signed link in an email',
  description:
    'The signature is the right: whoever holds the link may fetch that file until it expires (410 after). Only files of ' +
    'messages partners and guests see, scanned clean (or with no scanner configured), not erased.',
  tags: ['Attachments'],
  access: 'public',
  params: fileParams,
  query: dispositionQuery.extend({
    expires: z.coerce.number().int().meta({ description: 'Unix seconds' }),
    signature: z.string().max(100),
  }),
  binaryResponse: { mediaTypes: ['application/octet-stream'] },
  response: { status: 200, description: 'The file', schema: binary },
  errors: [404, 409, 410],
});

export const attachmentFiguresView = z
  .object({
    files: z.number().int(),
    stagedFiles: z.number().int().meta({ description: 'Uploaded, on no message yet (removed after a day)' }),
    blobs: z.number().int().meta({ description: 'Distinct contents stored (the same file twice is stored once)' }),
    storedBytes: z.number().int(),
    pendingScan: z.number().int(),
    oldestPendingSeconds: z.number().int().nullable(),
    infected: z.number().int(),
    unscannable: z.number().int(),
    notScanned: z.number().int(),
    scanner: z
      .string()
      .nullable()
      .meta({ description: 'The configured virus scanner, or null (files are not scanned)' }),
    quarantined: z.array(
      z.object({
        attachmentId: z.string(),
        fileName: z.string(),
        mediaType: z.string(),
        sizeBytes: z.number().int(),
        threadId: z.string().nullable(),
        uploadedAt: z.string(),
        uploaderKind: z.string(),
        status: z.enum(['infected', 'unscannable']),
        detail: z.string().nullable().meta({ description: 'The signature found, or why it could not be scanned' }),
        scannedAt: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'AttachmentFigures' });

export const getAttachmentFigures = routeContract({
  method: 'get',
  path: '/api/ops/attachments',
  operationId: 'getAttachmentFigures',
  summary: 'Files: storage used, scans pending, quarantined files',
  tags: ['Operations'],
  access: ['ops', 'admin'],
  response: { status: 200, description: 'The figures', schema: attachmentFiguresView },
});

interface FileRow {
  attachmentId: string;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
  fileName: string;
  erased: boolean;
  scan: string;
  thumbnailSha256: string | null;
  visibility: string;
}

const notFound = () => problems.notFound(plainWords('not_found'));

/** A file of a message, from its `support_attachments` row joined with its scan (`scan_status`, `thumbnail_sha256`). */
function postedFile(r: Record<string, unknown>): FileRow {
  return {
    attachmentId: String(r.attachment_id),
    sha256: String(r.sha256),
    sizeBytes: Number(r.size_bytes),
    mediaType: String(r.media_type),
    fileName: String(r.file_name),
    erased: r.erased_at != null,
    scan: String(r.scan_status ?? 'pending'),
    thumbnailSha256: (r.thumbnail_sha256 as string | null | undefined) ?? null,
    visibility: String(r.visibility),
  };
}

/** The file, if `identity` may read it (else 404, as for a file that does not exist), and whether they uploaded it. */
async function readableFile(
  deps: AttachmentReadDependencies,
  identity: Identity,
  attachmentId: string,
): Promise<{ file: FileRow; uploader: boolean }> {
  const { rows } = await deps.pool.query(
    `SELECT a.*, i.partner_org_id, i.assignment_id, s.status AS scan_status, s.thumbnail_sha256
       FROM support_attachments a JOIN support_inbox i ON i.thread_id = a.thread_id
       LEFT JOIN blob_scans s ON s.sha256 = a.sha256
      WHERE a.attachment_id = $1`,
    [attachmentId],
  );
  const person = identity.kind === 'staff' || identity.kind === 'partner' || identity.kind === 'guest';
  const me = person ? uploaderOf(identity) : undefined;
  const posted = rows[0];
  if (posted) {
    const visible =
      identity.kind === 'staff' ||
      (posted.visibility === 'external' &&
        publicReaderMayRead(identity, {
          threadId: String(posted.thread_id),
          partnerOrgId: String(posted.partner_org_id),
          assignmentId: String(posted.assignment_id),
        }));
    if (!visible) throw notFound();
    return {
      file: postedFile(posted),
      uploader: me !== undefined && me.kind === posted.author_kind && me.id === posted.author_id,
    };
  }
  // not on a message the read model knows: a staged file (or one just posted), its uploader's alone
  const staged = await deps.attachments.byId(attachmentId);
  if (!staged || !me || staged.uploader.kind !== me.kind || staged.uploader.id !== me.id) throw notFound();
  const scan = (await deps.attachments.scanStates([staged.sha256])).get(staged.sha256);
  return {
    file: {
      attachmentId,
      sha256: staged.sha256,
      sizeBytes: staged.sizeBytes,
      mediaType: staged.mediaType,
      fileName: staged.fileName,
      erased: false,
      scan: scan?.status ?? 'pending',
      thumbnailSha256: scan?.thumbnailSha256 ?? null,
      visibility: 'external',
    },
    uploader: true,
  };
}

/** Refuses what is not served: erased, quarantined, or not scanned yet (but to its uploader). */
function checkServable(file: FileRow, uploader: boolean): void {
  if (file.erased) throw new HttpProblem(410, 'Gone', undefined, { code: 'attachment_erased' });
  if (file.scan === 'infected') throw new HttpProblem(403, 'Forbidden', undefined, { code: 'attachment_quarantined' });
  if (file.scan === 'unscannable')
    throw new HttpProblem(403, 'Forbidden', undefined, { code: 'attachment_unscannable' });
  if (file.scan === 'pending' && !uploader) {
    throw new HttpProblem(409, 'Conflict', undefined, { code: 'attachment_not_scanned' }, { 'Retry-After': '2' });
  }
}

/** A file is never run: sandboxed, no scripts, nothing loaded; an inline PDF is left to the browser's viewer. */
const sandboxed = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox";
const pdfViewer = "default-src 'none'; object-src 'self'; plugin-types application/pdf; frame-ancestors 'self'";

async function serve(
  deps: AttachmentReadDependencies,
  file: { sha256: string; sizeBytes: number; mediaType: string; fileName: string },
  disposition: 'attachment' | 'inline',
  ifNoneMatch: string | undefined,
): Promise<RouteResult<string>> {
  const inline = disposition === 'inline' && isInlineType(file.mediaType);
  const etag = `"${file.sha256}"`;
  const headers: Record<string, string> = {
    'Content-Type': file.mediaType.startsWith('text/') ? `${file.mediaType}; charset=utf-8` : file.mediaType,
    'Content-Disposition': contentDisposition(file.fileName, { type: inline ? 'inline' : 'attachment' }),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': inline && file.mediaType === 'application/pdf' ? pdfViewer : sandboxed,
    // rights can change (a guest link revoked): the browser asks each time, and the ETag saves the bytes
    'Cache-Control': 'private, no-cache',
    ETag: etag,
    ...(inline ? { 'X-Frame-Options': 'SAMEORIGIN' } : {}),
  };
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    return { status: 304, body: '', headers, raw: true };
  }
  const bytes = await deps.attachments.blobs.get(file.sha256);
  if (!bytes) throw new HttpProblem(410, 'Gone', undefined, { code: 'attachment_erased' });
  return {
    status: 200,
    body: '',
    headers: { ...headers, 'Content-Length': String(file.sizeBytes) },
    stream: bytes as Readable,
  };
}

export function attachmentReadRoutes(deps: AttachmentReadDependencies, scannerName: () => string | null) {
  return [
    implement(downloadAttachment, {
      async handle(ctx) {
        const { file, uploader } = await readableFile(deps, ctx.identity, ctx.params.attachmentId);
        checkServable(file, uploader);
        return serve(deps, file, ctx.query.disposition ?? 'attachment', ctx.header('if-none-match'));
      },
    }),
    implement(attachmentThumbnail, {
      async handle(ctx) {
        const { file, uploader } = await readableFile(deps, ctx.identity, ctx.params.attachmentId);
        checkServable(file, uploader);
        if (!file.thumbnailSha256 || !isImageType(file.mediaType)) throw notFound();
        const size = await deps.attachments.blobs.stat(file.thumbnailSha256);
        if (!size) throw notFound();
        return serve(
          deps,
          {
            sha256: file.thumbnailSha256,
            sizeBytes: size.size,
            mediaType: 'image/webp',
            fileName: `${file.fileName}.webp`,
          },
          'inline',
          ctx.header('if-none-match'),
        );
      },
    }),
    implement(signedAttachment, {
      async handle(ctx) {
        const verdict = verifyAttachmentLink(
          deps.linkSecrets,
          ctx.params.attachmentId,
          { expires: ctx.query.expires, signature: ctx.query.signature },
          deps.clock(),
        );
        if (verdict === 'invalid') throw notFound();
        if (verdict === 'expired') throw new HttpProblem(410, 'Gone', undefined, { code: 'attachment_link_expired' });
        const { rows } = await deps.pool.query(
          `SELECT a.*, s.status AS scan_status FROM support_attachments a LEFT JOIN blob_scans s ON s.sha256 = a.sha256
            WHERE a.attachment_id = $1`,
          [ctx.params.attachmentId],
        );
        const r = rows[0];
        // a link can only ever have been signed for a file partners see; anything else is not there
        if (!r || r.visibility !== 'external') throw notFound();
        const file = postedFile(r);
        checkServable(file, false);
        return serve(deps, file, ctx.query.disposition ?? 'attachment', ctx.header('if-none-match'));
      },
    }),
    implement(getAttachmentFigures, {
      async handle() {
        return { body: { ...(await deps.attachments.figures()), scanner: scannerName() } };
      },
    }),
  ];
}
