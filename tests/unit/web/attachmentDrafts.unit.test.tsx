// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../web/src/lib/api';
import {
  draftPercent,
  draftsReducer,
  pastedName,
  refuseAtOnce,
  useAttachmentDrafts,
  type AttachmentDraft,
  type AttachmentDrafts,
  type Uploader,
} from '../../../web/src/lib/attachmentDrafts';
import type { UploadedAttachment } from '../../../web/src/lib/types';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const limits = { maxBytes: 1_000, maxFiles: 3 };

function staged(attachmentId: string, fileName: string, sizeBytes: number): UploadedAttachment {
  return { attachmentId, fileName, sizeBytes, mediaType: 'image/png', url: `/api/support/attachments/${attachmentId}` };
}

/**
 * A staging area the test answers by hand: each upload waits until the test reports its
 * progress, accepts it or refuses it; its signal says whether the composer cancelled it.
 */
function handAnsweredUploads() {
  const uploads: {
    fileName: string;
    signal: AbortSignal;
    progress: (sent: number, total: number) => void;
    accept: (id: string) => void;
    refuse: (error: ApiError) => void;
  }[] = [];
  const upload: Uploader = (file, fileName, options = {}) =>
    new Promise((resolve, reject) => {
      const signal = options.signal ?? new AbortController().signal;
      signal.addEventListener('abort', () => reject(new DOMException('cancelled', 'AbortError')));
      uploads.push({
        fileName,
        signal,
        progress: (sent, total) => options.onProgress?.(sent, total),
        accept: (id) => resolve(staged(id, fileName, file.size)),
        refuse: reject,
      });
    });
  return { uploads, upload };
}

describe('the composer’s files', () => {
  let container: HTMLDivElement;
  let root: Root;
  let files: AttachmentDrafts;
  let desk: ReturnType<typeof handAnsweredUploads>;

  function Composer({ upload }: { upload: Uploader }) {
    files = useAttachmentDrafts(limits, upload);
    return null;
  }

  beforeEach(() => {
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
    desk = handAnsweredUploads();
    act(() => root.render(<Composer upload={desk.upload} />));
  });
  afterEach(() => {
    act(() => root.unmount());
    container.remove();
  });

  const file = (name: string, size: number) => new File([new Uint8Array(size)], name, { type: 'image/png' });
  const settle = () => act(async () => {});

  it('when files are chosen, then each uploads at once, shows its progress, and sending waits for all of them', async () => {
    act(() => files.add([file('a.png', 100), file('b.png', 200)]));
    expect(desk.uploads.map((u) => u.fileName)).toEqual(['a.png', 'b.png']);
    expect(files.uploading).toBe(true);
    expect(files.attachmentIds).toEqual([]);

    act(() => desk.uploads[0]!.progress(60, 120));
    expect(draftPercent(files.drafts[0]!)).toBe(50);

    desk.uploads[0]!.accept('att-a');
    await settle();
    expect(files.uploading).toBe(true);
    expect(files.attachmentIds).toEqual(['att-a']);

    desk.uploads[1]!.accept('att-b');
    await settle();
    expect(files.uploading).toBe(false);
    expect(files.attachmentIds).toEqual(['att-a', 'att-b']);
    expect(files.drafts.map((d) => d.state)).toEqual(['attached', 'attached']);

    act(() => files.clear());
    expect(files.drafts).toEqual([]);
  });

  it('when the desk refuses a file, then it says why and the message carries only the others', async () => {
    act(() => files.add([file('ok.png', 10), file('fake.pdf', 10)]));
    desk.uploads[0]!.accept('att-ok');
    desk.uploads[1]!.refuse(
      new ApiError(422, 'Mismatch', 'This file is not what its name says it is.', 'attachment_type_mismatch', {}),
    );
    await settle();
    const refused = files.drafts[1]!;
    expect(refused.state).toBe('refused');
    expect(refused.state === 'refused' && refused.reason).toBe('This file is not what its name says it is.');
    expect(files.attachmentIds).toEqual(['att-ok']);
    expect(files.uploading).toBe(false);
  });

  it('when a file is removed while it uploads, then its upload is cancelled and sending no longer waits', async () => {
    act(() => files.add([file('slow.png', 10)]));
    const key = files.drafts[0]!.key;
    act(() => files.remove(key));
    expect(desk.uploads[0]!.signal.aborted).toBe(true);
    await settle();
    expect(files.drafts).toEqual([]);
    expect(files.uploading).toBe(false);
  });

  it('when a file is past the size limit or one too many, then it is refused without being sent', () => {
    act(() =>
      files.add([file('big.png', 1_001), file('1.png', 1), file('2.png', 1), file('3.png', 1), file('4.png', 1)]),
    );
    expect(desk.uploads.map((u) => u.fileName)).toEqual(['1.png', '2.png', '3.png']);
    const reasons = files.drafts.map((d) => (d.state === 'refused' ? d.reason : d.state));
    expect(reasons).toEqual([
      'This file is too large. Files can be up to 1 kB.',
      'uploading',
      'uploading',
      'uploading',
      'A message can carry up to 3 files.',
    ]);
  });

  it('when the composer goes away, then its running uploads are cancelled', () => {
    act(() => files.add([file('a.png', 10)]));
    act(() => root.unmount());
    expect(desk.uploads[0]!.signal.aborted).toBe(true);
    root = createRoot(container);
  });
});

describe('draftsReducer and the checks before sending', () => {
  const uploading: AttachmentDraft = {
    key: 'k',
    fileName: 'a.png',
    sizeBytes: 5,
    state: 'uploading',
    sent: 0,
    total: 5,
  };

  it('when an upload is answered after it was removed, then nothing comes back', () => {
    const removed = draftsReducer([uploading], { type: 'removed', key: 'k' });
    expect(draftsReducer(removed, { type: 'attached', key: 'k', attachment: staged('x', 'a.png', 5) })).toEqual([]);
  });

  it('when a refused file is in the list, then it takes no place among the files a message may carry', () => {
    const refused: AttachmentDraft = { key: 'r', fileName: 'x', sizeBytes: 1, state: 'refused', reason: 'no' };
    expect(refuseAtOnce({ size: 1 }, [refused, refused, refused], limits)).toBeNull();
    expect(refuseAtOnce({ size: 1 }, [uploading, uploading, uploading], limits)).toBe(
      'A message can carry up to 3 files.',
    );
    expect(refuseAtOnce({ size: 0 }, [], limits)).toBe('This file is empty.');
  });

  it('when an image is pasted, then it gets a name of its own with its type’s extension', () => {
    const at = new Date('2026-12-01T10:11:12Z');
    expect(pastedName('image/png', at)).toBe('pasted-image-2026-12-01-10-11-12.png');
    expect(pastedName('image/jpeg', at)).toBe('pasted-image-2026-12-01-10-11-12.jpg');
  });
});
