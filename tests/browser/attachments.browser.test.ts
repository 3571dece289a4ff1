import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import type { Page, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/logger.js';
import { ScanWorker } from '../../workers/scanning/scanWorker.js';
import { LIVE, startScenario, type Scenario } from './scenario.js';

/**
 * Files on messages, in a browser: a partner attaches a photo by the button and a PDF by
 * dropping it onto the composer, watches them upload, and sends; the agent's drawer shows the
 * photo's thumbnail (opening larger in place) and downloads the PDF, byte for byte what was
 * sent. A file too large, or of a type the desk refuses, says so in plain words. The desk runs as
 * `npm start` does without CLAMD_URL: its scan worker records each file "not scanned" (and makes
 * the photo's thumbnail), and the page says so.
 */

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
/** A real PNG (a damaged box, drawn as a brown square on blue), so the desk's sniffing and thumbnail have work. */
function photo(size = 96): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const box = x > size / 4 && x < (size * 3) / 4 && y > size / 4 && y < (size * 3) / 4;
      row.set(box ? [150, 100, 50] : [70, 130, 200], 1 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
/** A small, valid PDF of one page. */
function invoice(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    '<< /Length 44 >>\nstream\nBT /F1 18 Tf 24 72 Td (Invoice 4471) Tj ET\nendstream',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) pdf += `${String(o).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Drops a file onto an element as a person's drag would: dragenter, dragover and drop carrying a real DataTransfer. */
async function dropFile(page: Page, testId: string, file: { name: string; mimeType: string; bytes: Buffer }) {
  const transfer = await page.evaluateHandle(
    ({ name, mimeType, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type: mimeType }));
      return dt;
    },
    { name: file.name, mimeType: file.mimeType, base64: file.bytes.toString('base64') },
  );
  const target = page.getByTestId(testId).first();
  await target.dispatchEvent('dragenter', { dataTransfer: transfer });
  await target.dispatchEvent('dragover', { dataTransfer: transfer });
  await page.getByTestId('drop-zone').waitFor();
  await target.dispatchEvent('drop', { dataTransfer: transfer });
  await transfer.dispose();
}

describe('attachments, in a browser', { timeout: 120_000 }, () => {
  let scenario: Scenario;
  let scans: ScanWorker;

  beforeAll(async () => {
    scenario = await startScenario();
    const { desk } = scenario.bd;
    scans = new ScanWorker({
      pool: desk.db.pool,
      blobStore: desk.blobStore,
      scanner: null,
      logger: createLogger('silent'),
      pollMs: 100,
    });
    scans.start();
  });
  afterAll(async () => {
    await scans?.stop();
    await scenario?.bd.stop();
  });
  afterEach(() => {
    expect(scenario.bd.pageErrors.splice(0)).toEqual([]);
  });

  it('a partner attaches a photo by the button and a PDF by a drop; the agent sees the thumbnail and downloads the PDF', async () => {
    const { bd, arrangeThread, person } = scenario;
    const subject = 'Pallet 12 arrived damaged';
    const threadId = await arrangeThread(subject);
    const png = photo();
    const pdf = invoice();

    const partner = await person('partner@acme.test');
    await partner.goto(`/portal/threads/${threadId}`);
    const composer = partner.getByTestId('reply-box');
    await composer.waitFor();

    // hold the first upload at the desk's door, to see it uploading (and Send waiting for it)
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = true;
    await partner.route('**/api/support/attachments', async (route: Route) => {
      if (holding && route.request().method() === 'POST') {
        holding = false;
        await held;
      }
      await route.continue();
    });

    await composer.getByRole('button', { name: 'Attach files' }).focus();
    await composer
      .getByTestId('attach-input')
      .setInputFiles({ name: 'damaged-box.png', mimeType: 'image/png', buffer: png });
    const photoDraft = composer.getByTestId('attachment-draft').filter({ hasText: 'damaged-box.png' });
    await photoDraft.getByRole('progressbar', { name: 'Uploading damaged-box.png' }).waitFor();

    await dropFile(partner, 'file-drop', { name: 'invoice-4471.pdf', mimeType: 'application/pdf', bytes: pdf });
    const pdfDraft = composer.getByTestId('attachment-draft').filter({ hasText: 'invoice-4471.pdf' });
    await pdfDraft.filter({ hasText: 'Attached' }).waitFor(LIVE);
    await composer.getByLabel('Reply').fill('Photos of the pallet and the invoice, as asked.');
    expect(await composer.getByRole('button', { name: 'Send reply' }).isDisabled()).toBe(true);
    await bd.screenshot(partner, 'attachments-composer');

    release();
    await photoDraft.filter({ hasText: 'Attached' }).waitFor(LIVE);
    expect(await composer.getByRole('button', { name: 'Send reply' }).isDisabled()).toBe(false);
    await composer.getByRole('button', { name: 'Send reply' }).click();
    const sent = partner.getByTestId('message').filter({ hasText: 'Photos of the pallet' });
    await sent.getByTestId('attachments').waitFor(LIVE);
    // once sent (the spinner stops), the composer is empty again
    await composer.getByTestId('attachment-drafts').waitFor({ state: 'detached', ...LIVE });
    expect(await composer.getByLabel('Reply').inputValue()).toBe('');

    // the agent's drawer: the photo's thumbnail, larger in place; the PDF downloads as it was sent
    const agent = await person('agent@demo.test');
    await agent.goto(`/admin/support?thread=${threadId}`);
    const drawer = agent.getByRole('dialog', { name: subject });
    const message = drawer.getByTestId('message').filter({ hasText: 'Photos of the pallet' });
    const thumbnail = message.getByTestId('attachment-thumbnail');
    await thumbnail.locator('img').waitFor(LIVE);
    expect(
      await thumbnail.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
    ).toBe(true);
    await bd.screenshot(agent, 'attachments-message');
    await thumbnail.click();
    const lightbox = agent.getByTestId('lightbox');
    await lightbox.locator('img').waitFor();
    await agent.keyboard.press('Escape');
    await lightbox.waitFor({ state: 'detached' });
    await drawer.waitFor(); // Escape closed the image, not the drawer

    const pdfItem = message.getByTestId('attachment').filter({ hasText: 'invoice-4471.pdf' });
    await pdfItem.getByTestId('attachment-preview').waitFor();
    const [download] = await Promise.all([
      agent.waitForEvent('download'),
      pdfItem.getByTestId('attachment-download').click(),
    ]);
    expect(download.suggestedFilename()).toBe('invoice-4471.pdf');
    const path = await download.path();
    expect(sha256(await readFile(path))).toBe(sha256(pdf));
    // an agent may not erase; an admin may, with a reason, after confirming
    expect(await pdfItem.getByRole('button', { name: 'Erase file' }).count()).toBe(0);

    const admin = await person('admin@demo.test');
    await admin.goto(`/admin/support?thread=${threadId}`);
    const adminPdf = admin
      .getByRole('dialog', { name: subject })
      .getByTestId('attachment')
      .filter({ hasText: 'invoice-4471.pdf' });
    await adminPdf.getByRole('button', { name: 'Erase file' }).click();
    const erase = adminPdf.getByTestId('erase-form');
    await erase.getByRole('button', { name: 'Erase for good' }).click();
    await erase.getByText('Say why the file is erased').waitFor();
    await erase.getByPlaceholder('Reason (required)').fill('Bank details sent by mistake');
    await erase.getByRole('button', { name: 'Erase for good' }).click();
    await adminPdf.getByTestId('attachment-erased').getByText('Bank details sent by mistake').waitFor(LIVE);
    expect(await adminPdf.getByTestId('attachment-download').count()).toBe(0);

    // the partner's page: "File removed", without who or why
    await partner.reload();
    const removed = partner
      .getByTestId('message')
      .filter({ hasText: 'Photos of the pallet' })
      .getByTestId('attachment')
      .filter({ hasText: 'invoice-4471.pdf' });
    await removed.getByTestId('attachment-erased').waitFor(LIVE);
    expect((await removed.getByTestId('attachment-erased').textContent())?.trim()).toBe('File removed');
  });

  it('a file too large, or of a type the desk refuses, says so in plain words and is not sent', async () => {
    const { arrangeThread, person } = scenario;
    const threadId = await arrangeThread('Refused files');
    const partner = await person('partner@acme.test');
    await partner.goto(`/portal/threads/${threadId}`);
    const composer = partner.getByTestId('reply-box');
    const input = composer.getByTestId('attach-input');

    await input.setInputFiles({
      name: 'scan-600dpi.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(26 * 1024 * 1024)]),
    });
    await composer
      .getByTestId('attachment-draft')
      .filter({ hasText: 'scan-600dpi.pdf' })
      .getByText('This file is too large. Files can be up to 25 MB.')
      .waitFor();

    // an executable, as a Windows program begins
    const program = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510, 0x90)]);
    await input.setInputFiles({ name: 'setup.exe', mimeType: 'application/octet-stream', buffer: program });
    const refused = composer.getByTestId('attachment-draft').filter({ hasText: 'setup.exe' });
    await refused.getByTestId('attachment-refusal').waitFor(LIVE);
    const words = (await refused.getByTestId('attachment-refusal').textContent()) ?? '';
    expect(words).toContain('a kind of file the desk does not take');
    expect(words).not.toMatch(/attachment_|415|\bmime\b/i);

    // a ".pdf" that is really a program
    await input.setInputFiles({ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: program });
    const mismatch = composer.getByTestId('attachment-draft').filter({ hasText: 'invoice.pdf' });
    await mismatch.getByTestId('attachment-refusal').waitFor(LIVE);
    expect(await mismatch.getByTestId('attachment-refusal').textContent()).toContain('not what its name says');

    // refused files are not sent; the message goes without them
    await composer.getByLabel('Reply').fill('Sending the scan another way.');
    await composer.getByRole('button', { name: 'Send reply' }).click();
    const sent = partner.getByTestId('message').filter({ hasText: 'Sending the scan another way.' });
    await sent.waitFor(LIVE);
    expect(await sent.getByTestId('attachment').count()).toBe(0);
  });
});
