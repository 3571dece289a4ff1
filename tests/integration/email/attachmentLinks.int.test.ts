import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../platform/logger.js';
import { EmailWorker } from '../../../workers/email/emailWorker.js';
import { fileSize } from '../../../workers/email/templates.js';
import { ScanWorker } from '../../../workers/scanning/scanWorker.js';
import { filesForm, seededPdf, seededPng, sha256Of } from '../../support/attachmentFiles.js';
import { seededRandom, testSeed } from '../../support/seededRandom.js';
import { TEST_GUEST_LINK_SECRET, type ApiClient } from '../../support/testDesk.js';
import { fastSender, startEmailKit, type EmailKit } from './emailTestKit.js';

/**
 * Files in outbound email: a staff reply's files reach the partner as signed links that expire
 * (never the bytes), which the real HTTP server answers with the file until they expire or when
 * tampered with; an internal note's files never appear in any email; staff are told of a
 * partner's files with links into the app.
 */

const DAY = 24 * 60 * 60 * 1000;
const random = seededRandom(testSeed('attachment links'));
const signedLink =
  /https?:\/\/[^\s"<>]+(\/api\/attachments\/([0-9a-f-]{36})\/signed\?expires=(\d+)&amp;signature=[\w-]+)/;
const signedLinkText =
  /https?:\/\/[^\s"<>]+(\/api\/attachments\/([0-9a-f-]{36})\/signed\?expires=(\d+)&signature=([\w-]+))/;

describe('files in emails', () => {
  let kit: EmailKit;
  let scans: ScanWorker;

  beforeAll(async () => {
    kit = await startEmailKit();
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

  async function upload(client: ApiClient, name: string, bytes: Uint8Array): Promise<string> {
    const res = await client.request<{ attachments: { attachmentId: string }[] }>(
      'POST',
      '/api/support/attachments',
      filesForm({ name, bytes }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.attachments[0]!.attachmentId;
  }

  async function postWith(client: ApiClient, threadId: string, body: string, visibility: string, ids: string[]) {
    const res = await client.request('POST', `/api/support/threads/${threadId}/messages`, {
      body,
      visibility,
      attachmentIds: ids,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  async function fetchPath(path: string) {
    const res = await fetch(`${kit.desk.base}${path}`);
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  it('when staff reply with a file, then the partner is emailed a signed link that downloads it, and fails once expired or tampered with', async () => {
    const threadId = await kit.raise({ subject: 'Credit note' });
    const pdf = seededPdf(random);
    const fileId = await upload(kit.admin, 'credit note.pdf', pdf);
    await postWith(kit.admin, threadId, 'Here is the credit note.', 'external', [fileId]);
    await scans.runOnce();
    const worker = kit.worker();
    await kit.drain(worker);

    const [email] = kit.fake.delivered.filter(
      (e) => e.to.includes('partner@acme.test') && e.text?.includes('credit note'),
    );
    expect(email).toBeDefined();
    expect(email!.text).toContain(`- credit note.pdf (${fileSize(pdf.length)}): http`);
    expect(email!.text).toMatch(/The file links work until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    // the bytes never travel in the email
    const sent = kit.fake.log.find((l) => (l.payload as { text?: string }).text === email!.text)!.payload;
    expect(sent).not.toHaveProperty('attachments');
    const [, path, linkedId, expires] = signedLinkText.exec(email!.text!)!;
    expect(linkedId).toBe(fileId);
    expect(signedLink.exec(email!.html!)?.[2]).toBe(fileId);
    // a week after the reply (ATTACHMENT_EMAIL_LINK_DAYS' default)
    const replied = (await kit.threadEvents(threadId)).findLast((e) => e.type === 'MessagePosted')!;
    expect(Number(expires) * 1000).toBe(Math.floor((replied.createdAt.getTime() + 7 * DAY) / 1000) * 1000);

    const got = await fetchPath(path!);
    expect(got.status).toBe(200);
    expect(sha256Of(got.bytes)).toBe(sha256Of(pdf));
    const tampered = path!.replace(/signature=([\w-])/, (_, c: string) => `signature=${c === 'A' ? 'B' : 'A'}`);
    expect((await fetchPath(tampered)).status).toBe(404);
    expect((await fetchPath(path!.replace(`expires=${expires}`, `expires=${Number(expires) + 3600}`))).status).toBe(
      404,
    );

    kit.desk.clock.shift(7 * DAY + 60_000);
    try {
      expect((await fetchPath(path!)).status).toBe(410);
    } finally {
      kit.desk.clock.shift(-(7 * DAY + 60_000));
    }
  });

  it('when an internal note carries a file, then no email names it, and the link lifetime follows ATTACHMENT_EMAIL_LINK_DAYS', async () => {
    const threadId = await kit.raise({ subject: 'Internal photo' });
    const secretPhoto = await seededPng(random, 16, 16);
    const noteFile = await upload(kit.agent, 'internal-findings.png', secretPhoto);
    await postWith(kit.agent, threadId, 'Our own photo, not for the partner.', 'internal', [noteFile]);
    const replyFile = await upload(kit.agent, 'public.pdf', seededPdf(random));
    await postWith(kit.agent, threadId, 'The public answer.', 'external', [replyFile]);
    const worker = new EmailWorker({
      pool: kit.desk.db.pool,
      eventStore: kit.desk.eventStore,
      config: { ...kit.config(), ATTACHMENT_EMAIL_LINK_DAYS: 2 },
      guestLinkSecrets: [TEST_GUEST_LINK_SECRET],
      sender: fastSender,
    });
    try {
      await kit.drain(worker);
    } finally {
      await worker.stop();
    }
    const reply = kit.fake.delivered.find((e) => e.text?.includes('The public answer.'));
    const [, , , expires] = signedLinkText.exec(reply!.text!)!;
    const posted = (await kit.threadEvents(threadId)).findLast((e) => e.type === 'MessagePosted')!;
    expect(Number(expires) * 1000).toBe(Math.floor((posted.createdAt.getTime() + 2 * DAY) / 1000) * 1000);
    for (const email of kit.fake.delivered) {
      const all = `${email.subject}\n${email.html}\n${email.text}`;
      expect(all).not.toContain('internal-findings');
      expect(all).not.toContain(noteFile);
    }
    expect(kit.fake.log.every((l) => !JSON.stringify(l.payload).includes(noteFile))).toBe(true);
  });

  it('when a partner writes with a file, then staff are told with a link into the app, not a signed one', async () => {
    const threadId = await kit.raise({ subject: 'Partner photo' });
    const photo = await seededPng(random, 20, 20);
    const fileId = await upload(kit.partner, 'pallet.png', photo);
    await postWith(kit.partner, threadId, 'A photo of the pallet.', 'external', [fileId]);
    await kit.drain(kit.worker());
    const told = kit.fake.delivered.find((e) => e.text?.includes('A photo of the pallet.'));
    expect(told).toBeDefined();
    expect(told!.text).toContain(`- pallet.png (${fileSize(photo.length)}): http`);
    expect(told!.text).toContain(`/api/support/attachments/${fileId}`);
    expect(told!.text).not.toContain('/signed?');
  });
});
