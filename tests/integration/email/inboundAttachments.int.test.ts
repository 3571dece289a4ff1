import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../eventstore/port.js';
import { createLogger } from '../../../platform/logger.js';
import { ScanWorker } from '../../../workers/scanning/scanWorker.js';
import { seededExecutable, seededPdf, seededPng, sha256Of } from '../../support/attachmentFiles.js';
import { startEmailDesk, type EmailDesk } from '../../support/emailDesk.js';
import { seededRandom, testSeed } from '../../support/seededRandom.js';
import { testClock } from '../../support/testClock.js';
import type { ApiClient } from '../../support/testDesk.js';

/**
 * Files of received emails, all the way: the partner's mail and its files are stored by the fake
 * Resend server, its webhook recorded by the real route, and the inbound worker fetches the email
 * and each file through the real SDK (`emails.receiving.attachments`) and its download URLs, into
 * the desk's attachment store; the message's event records the files; the desk serves them.
 */

const HOUR = 60 * 60 * 1000;
const random = seededRandom(testSeed('inbound attachments'));

interface PostedFile {
  attachmentId: string;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
  fileName: string;
  contentId: string | null;
}

describe('files of received emails', () => {
  let kit: EmailDesk;
  let admin: ApiClient & { headers: Record<string, string> };
  let partner: ApiClient;
  let scans: ScanWorker;
  // Resend's clock, apart from the desk's: a test moves it to expire the download URLs
  const resendClock = testClock();

  beforeAll(async () => {
    kit = await startEmailDesk();
    kit.resend.useClock(resendClock.now);
    [admin, partner] = await Promise.all([kit.desk.signIn('admin@demo.test'), kit.desk.signIn('partner@acme.test')]);
    scans = new ScanWorker({
      pool: kit.desk.db.pool,
      blobStore: kit.desk.blobStore,
      scanner: null,
      logger: createLogger('silent'),
    });
  }, 60_000);

  afterAll(async () => {
    await kit?.stop();
  });

  /** A thread the partner raised and support answered, its reply emailed: the Reply-To the partner answers. */
  async function answeredThread(subject: string) {
    const raised = await partner.request<{ threadId: string }>('POST', '/api/support/threads', {
      assignmentId: 'asg-1001',
      queryType: 'DOCUMENTS',
      priority: 'MEDIUM',
      subject,
      body: 'The delivery note for pallet 7 is missing.',
    });
    expect(raised.status).toBe(201);
    const { threadId } = raised.body;
    const answered = await admin.request('POST', `/api/support/threads/${threadId}/messages`, {
      body: `Which pallet? (${subject})`,
      visibility: 'external',
    });
    expect(answered.status).toBe(201);
    const reply = await kit.sentUntil(() =>
      kit.resend.delivered.find((e) => e.to.includes('partner@acme.test') && e.headers['Reply-To']?.includes(threadId)),
    );
    return { threadId, replyTo: reply.headers['Reply-To']!, inReplyTo: reply.headers['Message-ID']! };
  }

  const messagesOf = async (threadId: string): Promise<RecordedEvent[]> =>
    (await kit.desk.eventStore.readStream(`thread-${threadId}`)).filter((e) => e.type === 'MessagePosted');

  const filesOf = (event: RecordedEvent) => event.data.attachments as unknown as PostedFile[];

  async function download(path: string) {
    const res = await fetch(`${kit.desk.base}${path}`, { headers: admin.headers });
    return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
  }

  it('when a partner replies with an inline image and a PDF, then the message carries both, the image inline and the HTML showing the stored copy', async () => {
    const { threadId, replyTo, inReplyTo } = await answeredThread('Damaged pallet');
    const photo = await seededPng(random, 40, 30);
    const note = seededPdf(random);
    const signature = await seededPng(random, 12, 12);
    await kit.arrives({
      from: 'Pat Partner <partner@acme.test>',
      to: [replyTo],
      subject: 'Re: [A-1001] Damaged pallet',
      headers: { 'In-Reply-To': inReplyTo },
      text: 'Pallet 7, see the photo and the note.\n\n[image: image001.png]',
      // as Outlook writes it: the cid in the HTML in another case than its Content-ID
      html: '<div><p>Pallet 7, see the photo and the note.</p><p><img width="400" src="cid:IMAGE001.png@01D9A1B2.C3D4E5F0" alt="pallet"></p></div>',
      attachments: [
        {
          filename: 'image001.png',
          content_type: 'image/png',
          content_id: '<image001.png@01D9A1B2.C3D4E5F0>',
          content_disposition: 'inline',
          content: photo,
        },
        { filename: 'delivery note.pdf', content_type: 'application/pdf', content: note },
        // an inline image the HTML never shows (Apple Mail's signature logo): an ordinary attachment
        {
          filename: 'logo.png',
          content_type: 'image/png',
          content_id: '<8C1D5E0A-3F2B-4C6D-9E8F-0A1B2C3D4E5F@home>',
          content_disposition: 'inline',
          content: signature,
        },
      ],
    });
    const report = await kit.inboundWorker().runOnce();
    expect(report).toMatchObject({ posted: 1, retrying: 0, dead: 0 });

    const [, posted] = await messagesOf(threadId);
    expect(posted!.data.body).toBe('Pallet 7, see the photo and the note.\n\n[image: image001.png]');
    const [inline, pdf, logo] = filesOf(posted!);
    expect(inline).toMatchObject({
      fileName: 'image001.png',
      mediaType: 'image/png',
      sizeBytes: photo.length,
      sha256: sha256Of(photo),
      contentId: 'image001.png@01D9A1B2.C3D4E5F0',
    });
    expect(pdf).toMatchObject({
      fileName: 'delivery note.pdf',
      mediaType: 'application/pdf',
      sha256: sha256Of(note),
      contentId: null,
    });
    expect(logo).toMatchObject({ fileName: 'logo.png', sha256: sha256Of(signature), contentId: null });
    const html = (posted!.metadata.inboundEmail as { html: string }).html;
    expect(html).toContain(
      `<img src="/api/support/attachments/${inline!.attachmentId}?disposition=inline" alt="pallet" />`,
    );
    expect(html).not.toMatch(/cid:/i);
    // no internal note: every file was kept
    expect(await messagesOf(threadId)).toHaveLength(2);

    // the desk serves what was sent, byte for byte, once scanned
    await scans.runOnce();
    for (const [file, bytes] of [
      [inline!, photo],
      [pdf!, note],
    ] as const) {
      const got = await download(`/api/support/attachments/${file.attachmentId}`);
      expect(got.status).toBe(200);
      expect(sha256Of(got.bytes)).toBe(sha256Of(bytes));
    }
  });

  it('when a download URL has expired, then the worker asks the API for a fresh one and stores the file', async () => {
    const { threadId, replyTo, inReplyTo } = await answeredThread('Late download');
    const note = seededPdf(random);
    await kit.arrives({
      from: 'partner@acme.test',
      to: [replyTo],
      subject: 'Re: [A-1001] Late download',
      headers: { 'In-Reply-To': inReplyTo },
      text: 'Here it is.',
      attachments: [{ id: 'att-late', filename: 'note.pdf', content_type: 'application/pdf', content: note }],
    });
    // the first download arrives after its URL expired (clocks apart, a queue that waited)
    let moved = false;
    kit.resend.beforeDownload = () => {
      if (!moved) resendClock.shift(HOUR + 1000);
      moved = true;
    };
    try {
      expect(await kit.inboundWorker().runOnce()).toMatchObject({ posted: 1, retrying: 0 });
    } finally {
      kit.resend.beforeDownload = null;
    }
    expect(kit.resend.downloadsOf('att-late')).toEqual({ ok: 1, expired: 1 });
    expect(kit.resend.downloadUrlsIssuedFor('att-late')).toBe(2);
    const [, posted] = await messagesOf(threadId);
    expect(filesOf(posted!).map((f) => f.sha256)).toEqual([sha256Of(note)]);
  });

  it('when every download URL has expired, then the delivery is retried with backoff and dead-lettered, never retried forever', async () => {
    const { threadId, replyTo, inReplyTo } = await answeredThread('Never downloads');
    const { delivery } = await kit.arrives({
      from: 'partner@acme.test',
      to: [replyTo],
      subject: 'Re: [A-1001] Never downloads',
      headers: { 'In-Reply-To': inReplyTo },
      text: 'Here it is.',
      attachments: [
        { id: 'att-never', filename: 'note.pdf', content_type: 'application/pdf', content: seededPdf(random) },
      ],
    });
    kit.resend.beforeDownload = () => resendClock.shift(HOUR + 1000);
    try {
      const worker = kit.inboundWorker({ EMAIL_MAX_ATTEMPTS: 2 });
      // one run takes it until a claim finds nothing due (the test's backoff is nil): both attempts
      expect(await worker.runOnce()).toMatchObject({ claimed: 2, posted: 0, retrying: 1, dead: 1 });
      expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
    } finally {
      kit.resend.beforeDownload = null;
    }
    // each attempt: the listed URL and two fresh ones
    expect(kit.resend.downloadsOf('att-never')).toEqual({ ok: 0, expired: 6 });
    const { rows } = await kit.desk.db.pool.query<{ dead_at: Date | null; last_error: string }>(
      'SELECT dead_at, last_error FROM resend_webhook_deliveries WHERE svix_id = $1',
      [delivery.id],
    );
    expect(rows[0]?.dead_at).not.toBeNull();
    expect(rows[0]?.last_error).toContain('no download URL worked');
    expect(await messagesOf(threadId)).toHaveLength(1);
  });

  it('when a file is of a type the desk does not take, then the message keeps the others and an internal note names it', async () => {
    const { threadId, replyTo, inReplyTo } = await answeredThread('Refused file');
    const note = seededPdf(random);
    await kit.arrives({
      from: 'Pat Partner <partner@acme.test>',
      to: [replyTo],
      subject: 'Re: [A-1001] Refused file',
      headers: { 'In-Reply-To': inReplyTo },
      text: 'The note, and the tool to read it.',
      attachments: [
        { filename: 'note.pdf', content_type: 'application/pdf', content: note },
        { filename: 'reader.exe', content_type: 'application/octet-stream', content: seededExecutable(random, 4096) },
        // a PDF by name that is an executable by its bytes
        { filename: 'invoice.pdf', content_type: 'application/pdf', content: seededExecutable(random, 2048) },
      ],
    });
    expect(await kit.inboundWorker().runOnce()).toMatchObject({ posted: 1 });
    const [, posted, noted] = await messagesOf(threadId);
    expect(filesOf(posted!).map((f) => f.fileName)).toEqual(['note.pdf']);
    expect(noted!.data).toMatchObject({
      visibility: 'internal',
      by: { kind: 'system', name: 'Email' },
      attachments: [],
    });
    expect(noted!.data.body).toBe(
      '2 files of the email from partner@acme.test could not be attached:\n' +
        '- reader.exe (4 KB): this type of file is not accepted\n' +
        '- invoice.pdf (2 KB): its contents are not what its name says',
    );
    // a second delivery of the same email adds nothing
    await kit.arrives({
      from: 'Pat Partner <partner@acme.test>',
      to: [replyTo],
      subject: 'Re: [A-1001] Refused file',
      text: 'The note, and the tool to read it.',
      messageId: (posted!.metadata.inboundEmail as { messageId: string }).messageId,
    });
    await kit.inboundWorker().runOnce();
    expect(await messagesOf(threadId)).toHaveLength(3);
  });
});
