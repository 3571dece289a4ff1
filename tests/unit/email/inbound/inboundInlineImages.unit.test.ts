import { describe, expect, it } from 'vitest';
import {
  contentIdKey,
  inlineImagePath,
  isInlineImagePath,
  referencedContentIds,
} from '../../../../workers/email/inbound/inboundInlineImages.js';
import { sanitizedHtmlOf } from '../../../../workers/email/inbound/inboundMessageHtml.js';

const stored = inlineImagePath('0b0e8f2a-1111-4222-8333-444455556666');

describe('inline images: a Content-ID and the cid: references to it', () => {
  it('when Outlook writes <image001.png@01D9…> and cid:image001.png@01D9…, then they are one key', () => {
    expect(contentIdKey('<image001.png@01D9A1B2.C3D4E5F0>')).toBe(contentIdKey('image001.png@01D9A1B2.C3D4E5F0'));
    const html = '<p><img width=120 src="cid:image001.png@01D9A1B2.C3D4E5F0"></p>';
    expect(referencedContentIds(html)).toEqual(new Set(['image001.png@01d9a1b2.c3d4e5f0']));
  });

  it('when Apple Mail spells the id in another case, or %-encodes it, then it still matches', () => {
    const contentId = '<8C1D5E0A-3F2B-4C6D-9E8F-0A1B2C3D4E5F@home>';
    const html = `<img src='CID:8c1d5e0a-3f2b-4c6d-9e8f-0a1b2c3d4e5f%40home'> <div style="background:url(cid:other@x)">`;
    const keys = referencedContentIds(html);
    expect(keys.has(contentIdKey(contentId))).toBe(true);
    expect(keys.has('other@x')).toBe(true);
  });

  it('when there is no HTML, then nothing is referenced', () => {
    expect(referencedContentIds(null)).toEqual(new Set());
  });

  it('when a path is the one the desk writes, then it is an inline image path, else not', () => {
    expect(isInlineImagePath(stored)).toBe(true);
    expect(isInlineImagePath('/api/support/attachments/x?disposition=inline')).toBe(false);
    expect(isInlineImagePath('https://track.example/p.gif')).toBe(false);
  });
});

describe('sanitizedHtmlOf with inline images: only the stored copies are kept', () => {
  const images = new Map([[contentIdKey('<image001.png@01D9A1B2.C3D4E5F0>'), stored]]);

  it('when the HTML refers to a stored inline image, then its cid: becomes the stored copy and nothing else of the tag stays', () => {
    const html = '<p>Damage:<img src="cid:IMAGE001.PNG@01d9a1b2.c3d4e5f0" alt="pallet" onerror="x()" width="600"></p>';
    expect(sanitizedHtmlOf(html, images)).toBe(`<p>Damage:<img src="${stored}" alt="pallet" /></p>`);
  });

  it('when an image is remote, unknown, or forged to look like a stored one, then it is dropped', () => {
    const html = `<p>a<img src="https://track.example/p.gif">b<img src="cid:nope@x">c<img src="${stored}"></p>`;
    expect(sanitizedHtmlOf(html, images)).toBe('<p>abc</p>');
  });

  it('when no inline image was stored, then every image is dropped as before', () => {
    expect(sanitizedHtmlOf('<p>Hi<img src="cid:image001.png@01D9A1B2.C3D4E5F0"></p>')).toBe('<p>Hi</p>');
  });
});
