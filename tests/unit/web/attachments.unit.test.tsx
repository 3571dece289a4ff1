import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../web/src/lib/api';
import {
  awaitsScan,
  fetchableNow,
  formatBytes,
  formatLimit,
  refusalText,
  scanText,
  type ScanState,
} from '../../../web/src/lib/attachments';
import type { Attachment } from '../../../web/src/lib/types';

/** The words the web app uses for files: sizes, limits, scan states and refused uploads. */
describe('attachments: words for files', () => {
  it('when a size is shown, then it reads as people read file sizes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_000)).toBe('1 kB');
    expect(formatBytes(48_213)).toBe('48 kB');
    expect(formatBytes(1_234_567)).toBe('1.2 MB');
    expect(formatBytes(26_214_400)).toBe('26 MB');
    expect(formatLimit(26_214_400)).toBe('25 MB');
    expect(formatLimit(1_500_000)).toBe('1.5 MB');
  });

  it.each<[ScanState, string | null]>([
    ['clean', null],
    ['pending', 'Scanning…'],
    ['not_scanned', 'Not scanned: no virus scanner is configured'],
    ['infected', 'Blocked: a virus was found'],
    ['unscannable', 'Could not be scanned'],
  ])('when a file is %s, then its chip says %j', (scan, text) => {
    expect(scanText(scan)).toBe(text);
  });

  it('when the desk refuses with a sentence, then that sentence is shown as it is', () => {
    const refusal = new ApiError(
      422,
      'Attachment type mismatch',
      'This file is not what its name says: a .pdf that is not a PDF.',
      'attachment_type_mismatch',
      {},
    );
    expect(refusalText(refusal)).toBe('This file is not what its name says: a .pdf that is not a PDF.');
  });

  it('when a refusal carries only its code or status, then the web app says it in plain words', () => {
    const noDetail = (status: number, code?: string) => new ApiError(status, 'Refused', undefined, code, {});
    expect(refusalText(noDetail(413, 'attachment_too_large'))).toBe(
      'This file is too large. Files can be up to 25 MB.',
    );
    expect(refusalText(noDetail(413), { maxBytes: 10_485_760, maxFiles: 3 })).toBe(
      'This file is too large. Files can be up to 10 MB.',
    );
    expect(refusalText(noDetail(415))).toBe('Files of this type cannot be attached.');
    expect(refusalText(noDetail(422, 'attachment_type_mismatch'))).toBe(
      'This file is not what its name says it is, so it cannot be attached.',
    );
    expect(refusalText(new ApiError(400, 'Bad request', undefined, 'validation', { file: 'no file was sent' }))).toBe(
      'No file was sent.',
    );
  });

  it('when a file is being scanned, then only the message’s author may fetch it; an infected one nobody', () => {
    expect(fetchableNow({ url: '/f', scan: 'pending' }, true)).toBe(true);
    expect(fetchableNow({ url: '/f', scan: 'pending' }, false)).toBe(false);
    expect(fetchableNow({ url: '/f', scan: 'not_scanned' }, false)).toBe(true);
    expect(fetchableNow({ url: null, scan: 'infected' }, true)).toBe(false);
  });

  it('when a message has a file still waiting for its scan, then the thread is looked at again; otherwise not', () => {
    const file = (scan: ScanState, erased = false): Attachment => ({
      attachmentId: scan,
      fileName: 'photo.png',
      sizeBytes: 10,
      mediaType: 'image/png',
      scan,
      erased: erased ? { at: '2026-12-01T00:00:00Z', by: 'Alex Admin', reason: null } : null,
      url: erased ? null : `/api/support/attachments/${scan}`,
      previewUrl: null,
      thumbnailUrl: null,
      inline: false,
    });
    expect(awaitsScan([{ attachments: [] }, { attachments: [file('clean'), file('not_scanned')] }])).toBe(false);
    expect(awaitsScan([{ attachments: [file('pending', true)] }])).toBe(false);
    expect(awaitsScan([{ attachments: [file('clean')] }, { attachments: [file('pending')] }])).toBe(true);
  });
});
