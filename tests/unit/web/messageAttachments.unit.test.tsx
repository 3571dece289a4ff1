import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DraftAttachmentList } from '../../../web/src/components/ComposerAttachments';
import { MessageAttachments } from '../../../web/src/components/MessageAttachments';
import type { AttachmentDraft } from '../../../web/src/lib/attachmentDrafts';
import type { AttachmentView } from '../../../web/src/lib/attachments';

const base = (over: Partial<AttachmentView>): AttachmentView => ({
  attachmentId: 'a1',
  fileName: 'invoice.pdf',
  sizeBytes: 48_213,
  mediaType: 'application/pdf',
  scan: 'clean',
  erased: null,
  url: '/api/support/attachments/a1',
  previewUrl: '/api/support/attachments/a1?disposition=inline',
  thumbnailUrl: null,
  inline: false,
  ...over,
});

const render = (
  attachments: AttachmentView[],
  audience: 'staff' | 'public' = 'public',
  erasable = false,
  mine = false,
) =>
  renderToStaticMarkup(
    <MessageAttachments
      attachments={attachments}
      audience={audience}
      mine={mine}
      onErase={erasable ? async () => {} : undefined}
    />,
  );

/** A message's files, as partners, guests and staff see them (a signed-in reader: the URLs are used as they are). */
describe('MessageAttachments', () => {
  it('when a message has an image with a thumbnail, then the thumbnail is shown, a button that opens it larger', () => {
    const html = render([
      base({
        fileName: 'damaged-box.png',
        mediaType: 'image/png',
        thumbnailUrl: '/api/support/attachments/a1/thumbnail',
      }),
    ]);
    expect(html).toContain('aria-label="Open damaged-box.png larger"');
    expect(html).toContain('src="/api/support/attachments/a1/thumbnail"');
    expect(html).toContain('alt="damaged-box.png"');
  });

  it('when an image has no thumbnail yet, then the file itself is shown inline', () => {
    const html = render([base({ fileName: 'photo.jpg', mediaType: 'image/jpeg' })]);
    expect(html).toContain('src="/api/support/attachments/a1?disposition=inline"');
  });

  it('when a file is a PDF, then it shows an icon, its name and size, a download and a preview', () => {
    const html = render([base({})]);
    expect(html).toContain('invoice.pdf');
    expect(html).toContain('48 kB');
    expect(html).toMatch(/href="\/api\/support\/attachments\/a1" download="invoice.pdf"[^>]*>Download</);
    expect(html).toMatch(/href="\/api\/support\/attachments\/a1\?disposition=inline" target="_blank"[^>]*>Preview</);
    expect(html).not.toContain('scan-chip');
  });

  it('when a file may not be fetched now (scanning, blocked), then it has no link, and its chip says why', () => {
    const html = render([
      base({ attachmentId: 'p', scan: 'pending' }),
      base({ attachmentId: 'i', scan: 'infected', url: null, previewUrl: null }),
      base({ attachmentId: 'n', scan: 'not_scanned' }),
      base({ attachmentId: 'u', scan: 'unscannable', url: null, previewUrl: null }),
    ]);
    expect(html).toContain('Scanning…');
    expect(html).toContain('Blocked: a virus was found');
    expect(html).toContain('Not scanned: no virus scanner is configured');
    expect(html).toContain('Could not be scanned');
    expect(html.match(/>Download</g)).toHaveLength(1);
  });

  it('when a file is being scanned, then its uploader (the message’s author) can already fetch it, others not', () => {
    const pending = base({ scan: 'pending', mediaType: 'image/png', fileName: 'photo.png' });
    const others = render([pending], 'staff', false, false);
    expect(others).toContain('Scanning…');
    expect(others).not.toContain('Download');
    expect(others).not.toContain('<img');
    const mine = render([pending], 'public', false, true);
    expect(mine).toContain('Scanning…');
    expect(mine).toContain('>Download<');
    expect(mine).toContain('src="/api/support/attachments/a1?disposition=inline"');
  });

  it('when a file was erased, then everyone sees "File removed" and only staff see who and why', () => {
    const erased = base({
      url: null,
      previewUrl: null,
      erased: { at: '2026-11-30T09:00:00.000Z', by: 'Alex Admin', reason: 'Personal data sent by mistake' },
    });
    const publicHtml = render([erased]);
    expect(publicHtml).toContain('File removed');
    expect(publicHtml).not.toContain('Alex Admin');
    expect(publicHtml).not.toContain('Personal data');
    const staffHtml = render([erased], 'staff', true);
    expect(staffHtml).toContain('File removed by Alex Admin');
    expect(staffHtml).toContain('Personal data sent by mistake');
    // nothing left to erase
    expect(staffHtml).not.toContain('Erase file');
  });

  it('when an admin reads the drawer, then each file has "Erase file"; without the right, it has not', () => {
    expect(render([base({})], 'staff', true)).toContain('Erase file');
    expect(render([base({})], 'staff', false)).not.toContain('Erase file');
  });

  it('when a message has no files, then nothing is drawn', () => {
    expect(render([])).toBe('');
  });
});

describe('DraftAttachmentList', () => {
  it('when files upload, are attached or refused, then each shows its progress, "Attached" or why, and a remove button', () => {
    const drafts: AttachmentDraft[] = [
      { key: '1', fileName: 'big-scan.pdf', sizeBytes: 2_000_000, state: 'uploading', sent: 500_000, total: 2_000_000 },
      {
        key: '2',
        fileName: 'photo.png',
        sizeBytes: 1_000,
        state: 'attached',
        attachment: {
          attachmentId: 'x',
          fileName: 'photo.png',
          sizeBytes: 1_000,
          mediaType: 'image/png',
          url: '/api/support/attachments/x',
        },
      },
      {
        key: '3',
        fileName: 'tool.exe',
        sizeBytes: 3_000,
        state: 'refused',
        reason: 'Files of this type cannot be attached.',
      },
    ];
    const html = renderToStaticMarkup(<DraftAttachmentList drafts={drafts} onRemove={() => {}} />);
    expect(html).toContain('role="progressbar" aria-label="Uploading big-scan.pdf"');
    expect(html).toContain('aria-valuenow="25"');
    expect(html).toContain('Uploading… 25%');
    expect(html).toContain('aria-label="Cancel big-scan.pdf"');
    expect(html).toContain('Attached');
    expect(html).toContain('aria-label="Remove photo.png"');
    expect(html).toContain('Files of this type cannot be attached.');
    expect(html).toContain('aria-label="Remove tool.exe"');
  });
});
