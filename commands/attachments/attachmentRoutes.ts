import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { z } from 'zod';
import { eraseAttachmentInput } from '../../domain/index.js';
import {
  AttachmentRefusedError,
  STAGED_FILES_PER_UPLOADER,
  type AttachmentRefusal,
  uploaderOf,
  type StagedAttachment,
  type Uploader,
} from '../../platform/attachments/attachmentStore.js';
import { HttpProblem, problems } from '../../platform/http/problem.js';
import { implement, routeContract } from '../../platform/http/route.js';
import type { PersonIdentity } from '../../platform/identity/identity.js';
import { authorOf, commandHeaders, type CommandDependencies } from '../commandContext.js';
import { threadCommandAnswer } from '../threads/threadAnswer.js';
import { runThreadCommand } from '../threads/threadCommand.js';

/** No byte for this long and the upload is given up (a stalled client holds nothing for ever). */
const UPLOAD_IDLE_MS = 60_000;

export const uploadedAttachment = z
  .object({
    attachmentId: z.uuid(),
    fileName: z.string().meta({ description: 'Cleaned: no folders, no control characters, at most 200 characters' }),
    sizeBytes: z.number().int(),
    mediaType: z.string().meta({ description: 'Sniffed from the bytes; the name’s extension must fit it' }),
    url: z.string().meta({ description: 'Where its uploader can fetch it back (GET)' }),
  })
  .meta({ id: 'UploadedAttachment' });

export const uploadAttachments = routeContract({
  method: 'post',
  path: '/api/support/attachments',
  operationId: 'uploadAttachments',
  summary: 'Upload files to attach to a message',
  description:
    'multipart/form-data with one or more parts named `file`. Each file is streamed to storage (never held whole), ' +
    'its media type sniffed from its bytes (an allow-list; a name whose extension does not fit the bytes is refused), ' +
    'its name cleaned. The answer’s ids go in `attachmentIds` of the message (or query) that sends them; files no ' +
    'message takes are removed after a day. Until a file is scanned for viruses only its uploader can fetch it. ' +
    'A refused file (413 too large, 415 a type not taken, 422 not what its name says) refuses the whole request: nothing is kept.',
  tags: ['Attachments'],
  access: ['admin', 'agent', 'partner', 'guest'],
  multipart: {
    schema: z.object({
      file: z.array(z.string().meta({ format: 'binary' })).meta({ description: 'The files (each part named file)' }),
    }),
  },
  response: {
    status: 201,
    description: 'The files were stored, staged for a message',
    schema: z.object({ attachments: z.array(uploadedAttachment) }),
  },
  errors: [413, 415, 422, 429],
});

const eraseParams = z.object({ threadId: z.uuid(), attachmentId: z.uuid() });

export const eraseAttachment = routeContract({
  method: 'post',
  path: '/api/support/threads/:threadId/attachments/:attachmentId/erase',
  operationId: 'eraseAttachment',
  summary: 'Erase a file’s bytes (recorded, with the reason)',
  description:
    'Appends AttachmentErased: the history keeps the file’s name and SHA-256 and shows it as erased, and the bytes ' +
    'are removed from storage unless another file that is not erased has the same bytes. Erasing an erased file changes nothing.',
  tags: ['Attachments'],
  access: ['admin'],
  params: eraseParams,
  body: eraseAttachmentInput,
  headers: commandHeaders,
  response: { status: 200, description: 'The file is erased', schema: threadCommandAnswer },
  errors: [404, 409, 412, 422],
});

const refusalStatus: Record<AttachmentRefusal, 413 | 415 | 422> = {
  attachment_too_large: 413,
  attachment_type_not_allowed: 415,
  attachment_type_mismatch: 422,
};
const refusalTitle = { 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content' } as const;

function refusalProblem(error: AttachmentRefusedError, index: number): HttpProblem {
  const status = refusalStatus[error.code];
  return new HttpProblem(status, refusalTitle[status], error.detail, {
    code: error.code,
    errors: [{ path: `file.${index}`, message: error.detail }],
    fileName: error.fileName,
    ...(error.mediaType ? { mediaType: error.mediaType } : {}),
  });
}

/**
 * Reads the parts of a multipart request one file at a time, each streamed into the store. Ends
 * with the stored files, or with the first refusal (after the rest of the request was read and
 * dropped, so the client gets its answer instead of a broken connection).
 */
function receiveFiles(
  req: IncomingMessage,
  deps: CommandDependencies,
  uploader: Uploader,
  maxFiles: number,
): Promise<{ stored: StagedAttachment[]; refusal?: unknown }> {
  const { maxBytes } = deps.attachments.limits;
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        // one byte past the limit tells the store the file is too large; the parser drops the rest
        limits: { fileSize: maxBytes + 1, files: maxFiles, fields: 5, parts: maxFiles + 10, headerPairs: 30 },
      });
    } catch {
      reject(problems.badRequest([{ path: 'body', message: 'must be multipart/form-data with a boundary' }]));
      return;
    }
    const stored: StagedAttachment[] = [];
    let refusal: unknown;
    let files = 0;
    let work = Promise.resolve();
    let idle: NodeJS.Timeout | undefined;
    const stall = () => {
      clearTimeout(idle);
      idle = setTimeout(() => req.destroy(new Error('upload stalled')), UPLOAD_IDLE_MS);
      idle.unref();
    };
    stall();
    req.on('data', stall);
    const finish = (error?: unknown) => {
      clearTimeout(idle);
      req.off('data', stall);
      if (error) reject(error);
      else resolve({ stored, refusal });
    };
    parser.on('file', (name, stream, info) => {
      const index = files++;
      if (name !== 'file' || refusal) {
        refusal ??= problems.badRequest([{ path: name, message: 'send files in parts named file' }]);
        stream.resume();
        return;
      }
      work = work.then(async () => {
        try {
          stored.push(await deps.attachments.storeFile({ source: stream, claimedName: info.filename, uploader }));
        } catch (error) {
          refusal ??= error instanceof AttachmentRefusedError ? refusalProblem(error, index) : error;
          stream.resume();
        }
      });
    });
    // a text part is refused by name (the limit above lets a few reach this handler to say so)
    parser.on('field', (name) => {
      refusal ??= problems.badRequest([{ path: name, message: 'only files (parts named file) are taken here' }]);
    });
    parser.on('filesLimit', () => {
      refusal ??= new HttpProblem(400, 'Bad Request', undefined, {
        code: 'attachment_too_many_files',
        errors: [{ path: 'file', message: `at most ${maxFiles} files at once` }],
      });
    });
    parser.on('partsLimit', () => {
      refusal ??= problems.badRequest([{ path: 'body', message: 'too many parts' }]);
    });
    parser.on('error', (error: unknown) => {
      req.unpipe(parser);
      finish(
        problems.badRequest([
          { path: 'body', message: `is not valid multipart/form-data (${String((error as Error).message ?? error)})` },
        ]),
      );
    });
    parser.on('close', () => {
      work.then(() => {
        if (!refusal && files === 0) {
          refusal = new HttpProblem(400, 'Bad Request', undefined, {
            code: 'attachment_no_file',
            errors: [{ path: 'file', message: 'send at least one file' }],
          });
        }
        finish();
      }, finish);
    });
    req.on('error', (error) => finish(error));
    req.pipe(parser);
  });
}

export const attachmentRoutes = (deps: CommandDependencies) => [
  implement(uploadAttachments, {
    async handle(ctx) {
      const identity = ctx.identity as PersonIdentity;
      const uploader = uploaderOf(identity);
      if ((await deps.attachments.stagedCount(uploader)) >= STAGED_FILES_PER_UPLOADER) {
        throw problems.tooManyRequests(
          3600,
          'You have many files uploaded and not sent. Send them with a message, or wait a day for them to be removed.',
        );
      }
      const { stored, refusal } = await receiveFiles(ctx.request!, deps, uploader, deps.attachments.limits.maxFiles);
      if (refusal) {
        // a refused request keeps nothing, not even the files of it that were fine
        await deps.attachments.discardStaged(
          stored.map((f) => f.attachmentId),
          uploader,
        );
        throw refusal;
      }
      if (stored.length) deps.onFileStored?.();
      return {
        status: 201,
        body: {
          attachments: stored.map((f) => ({
            attachmentId: f.attachmentId,
            fileName: f.fileName,
            sizeBytes: f.sizeBytes,
            mediaType: f.mediaType,
            url: `/api/support/attachments/${f.attachmentId}`,
          })),
        },
      };
    },
  }),
  implement(eraseAttachment, {
    async handle(ctx) {
      const result = await runThreadCommand(deps, ctx, 'eraseAttachment', () => ({
        type: 'EraseAttachment',
        data: { threadId: ctx.params.threadId, attachmentId: ctx.params.attachmentId, reason: ctx.body.reason },
        metadata: { now: deps.clock(), author: authorOf(ctx.identity) },
      }));
      // the event is the record; the bytes go after it (again on a repeated erase, should an earlier one have failed here)
      const file = await deps.attachments.byId(ctx.params.attachmentId);
      if (file && file.threadId === ctx.params.threadId)
        await deps.attachments.eraseBytes(file.attachmentId, file.sha256);
      return result;
    },
  }),
];
