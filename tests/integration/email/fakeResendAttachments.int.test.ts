import { createHash } from 'node:crypto';
import { Resend } from 'resend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeResendServer } from '../../support/fakeResend/fakeResendServer.js';
import { testClock } from '../../support/testClock.js';
import { downloadUrl } from '../../../workers/email/inbound/resendReceiving.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function bytesOf(url: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

/** The test double's attachments of received emails, as the real SDK's `emails.receiving.attachments` reads them. */
describe("the Resend-compatible test server's received attachments", () => {
  const clock = testClock();
  let fake: FakeResendServer;
  let resend: Resend;
  const pdf = Buffer.from('%PDF-1.4\n% a delivery note\n%%EOF\n');
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

  beforeAll(async () => {
    fake = await FakeResendServer.start({ clock: clock.now });
    resend = new Resend(fake.apiKey, { baseUrl: fake.url });
  });
  afterAll(async () => fake.stop());

  const receive = () =>
    fake.receive({
      from: 'pat@acme.test',
      to: ['x@reply.desk.test'],
      subject: 'Photos',
      text: 'See the photo.',
      html: '<p>See <img src="cid:image001.png@01D9A1B2.C3D4E5F0"></p>',
      attachments: [
        {
          filename: 'image001.png',
          content_type: 'image/png',
          content_id: '<image001.png@01D9A1B2.C3D4E5F0>',
          content: png,
        },
        { filename: 'note.pdf', content_type: 'application/pdf', content: pdf },
      ],
    });

  it('when an email with files is received, then list and get answer each with a download URL that serves its bytes', async () => {
    const id = receive();
    const listed = await resend.emails.receiving.attachments.list({ emailId: id });
    expect(listed.error).toBeNull();
    const [image, note] = listed.data!.data;
    expect(image).toMatchObject({ filename: 'image001.png', size: png.length, content_disposition: 'inline' });
    expect(image!.content_id).toBe('<image001.png@01D9A1B2.C3D4E5F0>');
    expect(note).toMatchObject({ filename: 'note.pdf', size: pdf.length, content_disposition: 'attachment' });
    expect(Date.parse(note!.expires_at) - clock.now().getTime()).toBeGreaterThan(59 * 60 * 1000);
    const got = await resend.emails.receiving.attachments.get({ emailId: id, id: note!.id });
    expect(got.data).toMatchObject({ object: 'attachment', id: note!.id, filename: 'note.pdf' });
    const download = await bytesOf(got.data!.download_url);
    expect(download.status).toBe(200);
    expect(sha256(download.body)).toBe(sha256(pdf));
    expect(fake.downloadsOf(note!.id)).toEqual({ ok: 1, expired: 0 });
    expect(fake.downloadUrlsIssuedFor(note!.id)).toBe(2);
  });

  it('when a download URL has expired or was tampered with, then it answers 403, and a fresh one from the API works', async () => {
    const id = receive();
    const { data } = await resend.emails.receiving.attachments.list({ emailId: id });
    const note = data!.data[1]!;
    expect((await bytesOf(note.download_url.replace(/signature=./, 'signature=0'))).status).toBe(403);
    clock.shift(60 * 60 * 1000);
    expect((await bytesOf(note.download_url)).status).toBe(403);
    expect(await downloadUrl(note.download_url)).toEqual({ kind: 'refused', status: 403 });
    expect(fake.downloadsOf(note.id)).toEqual({ ok: 0, expired: 2 });
    const fresh = await resend.emails.receiving.attachments.get({ emailId: id, id: note.id });
    expect(fresh.data!.download_url).not.toBe(note.download_url);
    expect(sha256((await bytesOf(fresh.data!.download_url)).body)).toBe(sha256(pdf));
  });

  it('when the email is fetched, then inline images are data: URIs unless html_format is cid', async () => {
    const id = receive();
    const byDefault = await resend.emails.receiving.get(id);
    expect(byDefault.data!.html).toContain(`data:image/png;base64,${png.toString('base64')}`);
    const withCids = await resend.emails.receiving.get(id, { html_format: 'cid' });
    expect(withCids.data!.html).toBe('<p>See <img src="cid:image001.png@01D9A1B2.C3D4E5F0"></p>');
    expect(withCids.data!.attachments.map((a) => a.filename)).toEqual(['image001.png', 'note.pdf']);
  });

  it('when the email or the attachment is unknown, then the SDK answers not_found', async () => {
    const missing = await resend.emails.receiving.attachments.list({ emailId: '00000000-0000-4000-8000-000000000000' });
    expect(missing.error).toMatchObject({ name: 'not_found', statusCode: 404 });
    const id = receive();
    const none = await resend.emails.receiving.attachments.get({ emailId: id, id: 'nope' });
    expect(none.error).toMatchObject({ name: 'not_found', statusCode: 404 });
  });
});
