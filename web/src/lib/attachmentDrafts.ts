import { useCallback, useEffect, useReducer, useRef } from 'react';
import { defaultAttachmentLimits, formatLimit, refusalText, type AttachmentLimits } from './attachments';
import type { UploadedAttachment } from './types';
import { uploadAttachment } from './upload';

/**
 * The files of a message being written: each uploads the moment it is chosen, and is uploading
 * (with its progress), attached (the desk staged it: its id goes with the message), or refused
 * (why, in plain words). The message can be sent once none is still uploading.
 */
export type AttachmentDraft =
  | { key: string; fileName: string; sizeBytes: number; state: 'uploading'; sent: number; total: number }
  | { key: string; fileName: string; sizeBytes: number; state: 'attached'; attachment: UploadedAttachment }
  | { key: string; fileName: string; sizeBytes: number; state: 'refused'; reason: string };

export type DraftAction =
  | { type: 'added'; key: string; fileName: string; sizeBytes: number }
  | { type: 'refusedAtOnce'; key: string; fileName: string; sizeBytes: number; reason: string }
  | { type: 'progressed'; key: string; sent: number; total: number }
  | { type: 'attached'; key: string; attachment: UploadedAttachment }
  | { type: 'refused'; key: string; reason: string }
  | { type: 'removed'; key: string }
  | { type: 'cleared' };

export function draftsReducer(drafts: AttachmentDraft[], action: DraftAction): AttachmentDraft[] {
  const update = (key: string, change: (d: AttachmentDraft) => AttachmentDraft) =>
    drafts.map((d) => (d.key === key ? change(d) : d));
  switch (action.type) {
    case 'added':
      return [
        ...drafts,
        {
          key: action.key,
          fileName: action.fileName,
          sizeBytes: action.sizeBytes,
          state: 'uploading',
          sent: 0,
          total: action.sizeBytes,
        },
      ];
    case 'refusedAtOnce':
      return [
        ...drafts,
        {
          key: action.key,
          fileName: action.fileName,
          sizeBytes: action.sizeBytes,
          state: 'refused',
          reason: action.reason,
        },
      ];
    case 'progressed':
      return update(action.key, (d) =>
        d.state === 'uploading' ? { ...d, sent: action.sent, total: action.total || d.total } : d,
      );
    case 'attached':
      return update(action.key, (d) =>
        d.state === 'uploading'
          ? {
              key: d.key,
              fileName: d.fileName,
              sizeBytes: d.sizeBytes,
              state: 'attached',
              attachment: action.attachment,
            }
          : d,
      );
    case 'refused':
      return update(action.key, (d) =>
        d.state === 'uploading'
          ? { key: d.key, fileName: d.fileName, sizeBytes: d.sizeBytes, state: 'refused', reason: action.reason }
          : d,
      );
    case 'removed':
      return drafts.filter((d) => d.key !== action.key);
    case 'cleared':
      return [];
    default: {
      const unknown: never = action;
      return unknown;
    }
  }
}

/** 0..100, for the progress bar. */
export function draftPercent(draft: AttachmentDraft): number {
  if (draft.state !== 'uploading') return 100;
  return draft.total > 0 ? Math.min(100, Math.round((draft.sent / draft.total) * 100)) : 0;
}

export const attachedIds = (drafts: readonly AttachmentDraft[]): string[] =>
  drafts.flatMap((d) => (d.state === 'attached' ? [d.attachment.attachmentId] : []));

export const anyUploading = (drafts: readonly AttachmentDraft[]): boolean =>
  drafts.some((d) => d.state === 'uploading');

/**
 * What can be said before a byte is sent: past the size limit, or one file too many (counting
 * those uploading or attached; a refused one takes no place). Null: upload it.
 */
export function refuseAtOnce(
  file: { size: number },
  drafts: readonly AttachmentDraft[],
  limits: AttachmentLimits,
): string | null {
  if (drafts.filter((d) => d.state !== 'refused').length >= limits.maxFiles) {
    return `A message can carry up to ${limits.maxFiles} files.`;
  }
  if (file.size > limits.maxBytes) return `This file is too large. Files can be up to ${formatLimit(limits.maxBytes)}.`;
  if (file.size === 0) return 'This file is empty.';
  return null;
}

/** A pasted image has no name of its own (the browser says "image.png" at best): give it one, with its type's extension. */
export function pastedName(type: string, pastedAt: Date): string {
  const ext = /^image\/(png|jpeg|gif|webp)$/.exec(type)?.[1]?.replace('jpeg', 'jpg') ?? 'png';
  const stamp = pastedAt.toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return `pasted-image-${stamp}.${ext}`;
}

export type Uploader = typeof uploadAttachment;

/**
 * The composer's files: `add` starts an upload per file at once, `remove` drops one (cancelling
 * its upload), `clear` empties the list once the message is sent. Uploads still running when the
 * composer goes away are cancelled.
 */
export function useAttachmentDrafts(
  limits: AttachmentLimits = defaultAttachmentLimits,
  upload: Uploader = uploadAttachment,
) {
  const [drafts, dispatch] = useReducer(draftsReducer, []);
  const running = useRef(new Map<string, AbortController>());
  const current = useRef(drafts);
  current.current = drafts;
  const counter = useRef(0);

  useEffect(() => {
    const uploads = running.current;
    return () => {
      for (const controller of uploads.values()) controller.abort();
      uploads.clear();
    };
  }, []);

  const add = useCallback(
    (files: readonly File[]) => {
      // count what this call adds too: ten files dropped at once on a message with one
      let known: AttachmentDraft[] = [...current.current];
      for (const file of files) {
        counter.current += 1;
        const key = `draft-${counter.current}`;
        const fileName = file.name || 'file';
        const refusal = refuseAtOnce(file, known, limits);
        if (refusal) {
          dispatch({ type: 'refusedAtOnce', key, fileName, sizeBytes: file.size, reason: refusal });
          known = [...known, { key, fileName, sizeBytes: file.size, state: 'refused', reason: refusal }];
          continue;
        }
        dispatch({ type: 'added', key, fileName, sizeBytes: file.size });
        known = [...known, { key, fileName, sizeBytes: file.size, state: 'uploading', sent: 0, total: file.size }];
        const controller = new AbortController();
        running.current.set(key, controller);
        upload(file, fileName, {
          signal: controller.signal,
          onProgress: (sent, total) => dispatch({ type: 'progressed', key, sent, total }),
        })
          .then((attachment) => dispatch({ type: 'attached', key, attachment }))
          .catch((error: unknown) => {
            if (error instanceof DOMException && error.name === 'AbortError') return;
            dispatch({ type: 'refused', key, reason: refusalText(error, limits) });
          })
          .finally(() => running.current.delete(key));
      }
    },
    [limits, upload],
  );

  const remove = useCallback((key: string) => {
    running.current.get(key)?.abort();
    running.current.delete(key);
    dispatch({ type: 'removed', key });
  }, []);

  const clear = useCallback(() => dispatch({ type: 'cleared' }), []);

  return {
    drafts,
    add,
    remove,
    clear,
    attachmentIds: attachedIds(drafts),
    uploading: anyUploading(drafts),
  };
}

export type AttachmentDrafts = ReturnType<typeof useAttachmentDrafts>;
