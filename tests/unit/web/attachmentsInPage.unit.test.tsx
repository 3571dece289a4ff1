// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileDropArea } from '../../../web/src/components/ComposerAttachments';
import { MessageAttachments } from '../../../web/src/components/MessageAttachments';
import { ApiError, setGuestToken } from '../../../web/src/lib/api';
import type { AttachmentView } from '../../../web/src/lib/attachments';
import { uploadAttachment } from '../../../web/src/lib/upload';
import { startUploadDesk, type UploadDesk } from './uploadDesk.mjs';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let desk: UploadDesk;
let png: Uint8Array<ArrayBuffer>;
beforeAll(async () => {
  desk = await startUploadDesk();
  png = desk.png;
});
afterAll(() => desk.close());

let container: HTMLDivElement;
let root: Root;
beforeEach(() => {
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${desk.origin}/t/abc`);
  desk.received.length = 0;
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
  setGuestToken(null);
  document.cookie = 'sd_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
  vi.restoreAllMocks();
});

const image: AttachmentView = {
  attachmentId: 'img-1',
  fileName: 'damaged-box.png',
  sizeBytes: 68,
  mediaType: 'image/png',
  scan: 'clean',
  erased: null,
  url: '/api/support/attachments/img-1',
  previewUrl: '/api/support/attachments/img-1?disposition=inline',
  thumbnailUrl: null,
  inline: false,
};

async function until(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) await act(() => new Promise((r) => setTimeout(r, 5)));
  expect(check()).toBe(true);
}

describe('a guest’s files: fetched with the link’s header, shown through an object URL', () => {
  it('when a guest reads a message with an image, then the page fetches it with X-Guest-Token and revokes the object URL when it goes away', async () => {
    setGuestToken('guest-1');
    const revoked: string[] = [];
    const revoke = URL.revokeObjectURL.bind(URL);
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation((url) => {
      revoked.push(url);
      revoke(url);
    });
    act(() => root.render(<MessageAttachments attachments={[image]} audience="public" />));
    const img = () => container.querySelector<HTMLImageElement>('[data-testid="attachment-thumbnail"] img');
    await until(() => !!img());
    const src = img()!.getAttribute('src')!;
    expect(src.startsWith('blob:')).toBe(true);
    expect(desk.received).toHaveLength(1);
    expect(desk.received[0]!.headers['x-guest-token']).toBe('guest-1');
    expect(revoked).toEqual([]);
    act(() => root.render(<></>));
    expect(revoked).toEqual([src]);
  });

  it('when a signed-in reader reads it, then the image is the URL itself (the session cookie carries the right)', () => {
    act(() => root.render(<MessageAttachments attachments={[image]} audience="public" />));
    const img = container.querySelector('[data-testid="attachment-thumbnail"] img');
    expect(img?.getAttribute('src')).toBe('/api/support/attachments/img-1?disposition=inline');
    expect(desk.received).toHaveLength(0);
  });
});

describe('the lightbox', () => {
  it('when a thumbnail is clicked, then the image opens larger; Escape closes it and no drawer under it hears the key', () => {
    act(() => root.render(<MessageAttachments attachments={[image]} audience="staff" />));
    const drawerHeard: boolean[] = [];
    const drawer = (event: KeyboardEvent) => {
      if (event.key === 'Escape') drawerHeard.push(event.defaultPrevented);
    };
    document.addEventListener('keydown', drawer);
    act(() => container.querySelector<HTMLButtonElement>('[data-testid="attachment-thumbnail"]')!.click());
    const dialog = document.querySelector('[data-testid="lightbox"]');
    expect(dialog?.getAttribute('role')).toBe('dialog');
    expect(dialog?.querySelector('img')?.getAttribute('src')).toBe('/api/support/attachments/img-1?disposition=inline');
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Close image');
    act(() => {
      document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    });
    document.removeEventListener('keydown', drawer);
    expect(document.querySelector('[data-testid="lightbox"]')).toBeNull();
    // the drawer's own listener ignores an Escape already handled
    expect(drawerHeard.every((handled) => handled)).toBe(true);
  });
});

describe('FileDropArea', () => {
  function dragEvent(type: string, files: File[]) {
    const transfer = new DataTransfer();
    for (const f of files) transfer.items.add(f);
    const event = new Event(type, { bubbles: true, cancelable: true });
    Object.defineProperty(event, 'dataTransfer', { value: transfer });
    return event;
  }

  it('when files are dragged over the composer, then a drop zone shows; dropped, they are taken and it goes', () => {
    const taken: string[][] = [];
    act(() =>
      root.render(
        <FileDropArea onFiles={(files) => taken.push(files.map((f) => f.name))}>
          <textarea />
        </FileDropArea>,
      ),
    );
    const area = container.querySelector('[data-testid="file-drop"]')!;
    const pdf = new File(['%PDF-1.4'], 'invoice.pdf', { type: 'application/pdf' });
    act(() => void area.dispatchEvent(dragEvent('dragenter', [pdf])));
    expect(container.querySelector('[data-testid="drop-zone"]')?.textContent).toBe('Drop files to attach them');
    const drop = dragEvent('drop', [pdf]);
    act(() => void area.dispatchEvent(drop));
    expect(drop.defaultPrevented).toBe(true);
    expect(taken).toEqual([['invoice.pdf']]);
    expect(container.querySelector('[data-testid="drop-zone"]')).toBeNull();
  });

  it('when an image is pasted, then it is taken under a name of its own; a text paste is left alone', () => {
    const taken: File[][] = [];
    act(() =>
      root.render(
        <FileDropArea onFiles={(files) => taken.push(files)}>
          <textarea />
        </FileDropArea>,
      ),
    );
    const textarea = container.querySelector('textarea')!;
    const paste = (files: File[]) => {
      const event = new Event('paste', { bubbles: true, cancelable: true });
      const transfer = new DataTransfer();
      for (const f of files) transfer.items.add(f);
      Object.defineProperty(event, 'clipboardData', { value: transfer });
      act(() => void textarea.dispatchEvent(event));
      return event;
    };
    expect(paste([]).defaultPrevented).toBe(false);
    expect(taken).toEqual([]);
    const pasted = paste([new File([png], 'image.png', { type: 'image/png' })]);
    expect(pasted.defaultPrevented).toBe(true);
    expect(taken[0]?.[0]?.name).toMatch(/^pasted-image-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.png$/);
    expect(taken[0]?.[0]?.type).toBe('image/png');
  });
});

describe('uploadAttachment', () => {
  it('when a signed-in user uploads, then one multipart request carries the file as `file` with the CSRF header, and answers the attachment', async () => {
    document.cookie = 'sd_csrf=csrf-123; path=/';
    const answer = await uploadAttachment(new Blob([png], { type: 'image/png' }), 'damaged-box.png');
    expect(answer.attachmentId).toBe('att-1');
    expect(answer.sizeBytes).toBe(png.length);
    expect(desk.received).toHaveLength(1);
    const sent = desk.received[0]!;
    expect(sent.headers['x-csrf-token']).toBe('csrf-123');
    expect(sent.headers['x-guest-token']).toBeUndefined();
    expect(sent.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(sent.parts).toHaveLength(1);
    expect(sent.parts[0]!.field).toBe('file');
    expect(sent.parts[0]!.fileName).toBe('damaged-box.png');
    expect([...sent.parts[0]!.bytes]).toEqual([...png]);
  });

  it('when a guest uploads, then the link’s token goes in X-Guest-Token', async () => {
    setGuestToken('guest-1');
    await uploadAttachment(new Blob([png], { type: 'image/png' }), 'photo.png');
    expect(desk.received[0]!.headers['x-guest-token']).toBe('guest-1');
  });

  it('when the desk refuses the file, then the promise rejects with its problem', async () => {
    const refusal = await uploadAttachment(new Blob([png]), 'too-big.png').catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).status).toBe(413);
    expect((refusal as ApiError).code).toBe('attachment_too_large');
    expect((refusal as ApiError).detail).toBe('This file is larger than 25 MB, the most a file may be.');
  });

  it('when the upload is cancelled before it starts, then it rejects with an AbortError and sends nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await uploadAttachment(new Blob([png]), 'a.png', { signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect((error as DOMException).name).toBe('AbortError');
    expect(desk.received).toHaveLength(0);
  });
});
