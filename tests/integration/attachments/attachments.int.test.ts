import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../platform/logger.js';
import { ScanWorker } from '../../../workers/scanning/scanWorker.js';
import { StagedFileCleanup } from '../../../workers/attachments/stagedFileCleanup.js';
import { signAttachmentLink, signedAttachmentPath } from '../../../platform/attachments/signedLinks.js';
import { filesForm, seededExecutable, seededPdf, seededPng, sha256Of } from '../../support/attachmentFiles.js';
import { issueThreadLink } from '../../support/guestLinks.js';
import { paymentQuery, type RaisedQuery } from '../../support/raiseQuery.js';
import { seededRandom, testSeed } from '../../support/seededRandom.js';
import { ok, startTestDesk, TEST_GUEST_LINK_SECRET, type ApiClient, type TestDesk } from '../../support/testDesk.js';

/**
 * Files on messages, end to end over real HTTP on a real database and a real blob folder: upload,
 * attach, read back by each role, refusals, erase, the cleanup of staged files, signed links.
 */

interface Uploaded {
  attachmentId: string;
  fileName: string;
  sizeBytes: number;
  mediaType: string;
  url: string;
}
interface MessageFile {
  attachmentId: string;
  fileName: string;
  scan: string;
  erased: { at: string; by: string; reason: string | null } | null;
  url: string | null;
  thumbnailUrl: string | null;
  previewUrl: string | null;
}
interface ThreadView {
  messages: { messageId: string; visibility: string; body: string; attachments: MessageFile[] }[];
}

const random = seededRandom(testSeed('attachments'));

type SignedIn = Awaited<ReturnType<TestDesk['signIn']>>;
let desk: TestDesk;
let admin: SignedIn;
let agent: SignedIn;
let acme: SignedIn;
let globex: SignedIn;
let scans: ScanWorker;

async function upload(client: ApiClient, ...files: { name: string; bytes: Uint8Array }[]): Promise<Uploaded[]> {
  const body = await ok(
    client.request<{ attachments: Uploaded[] }>('POST', '/api/support/attachments', filesForm(...files)),
  );
  return body.attachments;
}

async function raiseWith(client: ApiClient, attachmentIds: string[]): Promise<RaisedQuery> {
  return ok(client.request<RaisedQuery>('POST', '/api/support/threads', { ...paymentQuery, attachmentIds }));
}

async function post(client: ApiClient, threadId: string, body: Record<string, unknown>) {
  return ok(client.request<{ position: string }>('POST', `/api/support/threads/${threadId}/messages`, body));
}

async function view(client: ApiClient, threadId: string, position?: string): Promise<ThreadView> {
  const wait = position ? `?waitFor=${position}` : '';
  return ok(client.request<ThreadView>('GET', `/api/support/threads/${threadId}${wait}`), 200);
}

async function fetchFile(client: ApiClient, path: string) {
  return client.request<unknown>('GET', path);
}

async function bytesOf(base: string, path: string, headers: Record<string, string>) {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

beforeAll(async () => {
  desk = await startTestDesk();
  [admin, agent, acme, globex] = await Promise.all([
    desk.signIn('admin@demo.test'),
    desk.signIn('agent@demo.test'),
    desk.signIn('partner@acme.test'),
    desk.signIn('partner@globex.test'),
  ]);
  scans = new ScanWorker({
    pool: desk.db.pool,
    blobStore: desk.blobStore,
    scanner: null,
    logger: createLogger('silent'),
  });
}, 60_000);

afterAll(async () => {
  await desk?.stop();
});

describe('uploading and attaching', () => {
  it('stores a file under its SHA-256, attaches it to a query, and answers it to each reader by their rights', async () => {
    const png = await seededPng(random);
    const [file] = await upload(acme, { name: 'damaged pallet.png', bytes: png });
    expect(file).toMatchObject({ fileName: 'damaged pallet.png', sizeBytes: png.length, mediaType: 'image/png' });
    expect(await desk.blobStore.stat(sha256Of(png))).toEqual({ size: png.length });

    // staged: its uploader only
    expect((await fetchFile(acme, file!.url)).status).toBe(200);
    expect((await fetchFile(agent, file!.url)).status).toBe(404);

    const raised = await raiseWith(acme, [file!.attachmentId]);
    const staffView = await view(agent, raised.threadId, raised.position);
    const [shown] = staffView.messages[0]!.attachments;
    expect(shown).toMatchObject({ attachmentId: file!.attachmentId, fileName: 'damaged pallet.png', scan: 'pending' });

    // not scanned yet: its uploader may fetch it, nobody else
    expect((await fetchFile(agent, file!.url)).status).toBe(409);
    expect((await fetchFile(acme, file!.url)).status).toBe(200);
    await scans.runOnce();

    const after = (await view(agent, raised.threadId)).messages[0]!.attachments[0]!;
    expect(after.scan).toBe('not_scanned');
    expect(after.thumbnailUrl).toBe(`${file!.url}/thumbnail`);
    const got = await bytesOf(desk.base, file!.url, agent.headers);
    expect(got.status).toBe(200);
    expect(sha256Of(got.bytes)).toBe(sha256Of(png));
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('content-disposition')).toBe('attachment; filename="damaged pallet.png"');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-security-policy')).toContain('sandbox');
    expect(got.headers.get('etag')).toBe(`"${sha256Of(png)}"`);
    // a second look with the ETag costs no bytes
    const again = await bytesOf(desk.base, file!.url, { ...agent.headers, 'if-none-match': got.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    const inline = await bytesOf(desk.base, `${file!.url}?disposition=inline`, acme.headers);
    expect(inline.headers.get('content-disposition')).toMatch(/^inline;/);
    const thumb = await bytesOf(desk.base, `${file!.url}/thumbnail`, acme.headers);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');

    // another organisation's partner learns nothing, not even that it exists
    expect((await fetchFile(globex, file!.url)).status).toBe(404);
    expect((await fetchFile(globex, `${file!.url}/thumbnail`)).status).toBe(404);
    expect((await fetchFile(desk.anonymous, file!.url)).status).toBe(401);
  });

  it('keeps an internal note’s file from partners and guests in every read, and from the note’s push', async () => {
    const raised = await ok(acme.request<RaisedQuery>('POST', '/api/support/threads', paymentQuery));
    const pdf = seededPdf(random);
    const [file] = await upload(agent, { name: 'credit note draft.pdf', bytes: pdf });
    const note = await post(agent, raised.threadId, {
      body: 'Draft attached',
      visibility: 'internal',
      attachmentIds: [file!.attachmentId],
    });
    await scans.runOnce();
    const staff = await view(agent, raised.threadId, note.position);
    expect(staff.messages.at(-1)!.attachments.map((a) => a.fileName)).toEqual(['credit note draft.pdf']);
    const partner = await view(acme, raised.threadId);
    expect(JSON.stringify(partner)).not.toContain(file!.attachmentId);
    expect((await fetchFile(acme, file!.url)).status).toBe(404);
    const link = await issueThreadLink(agent, raised.threadId);
    const guest = desk.guest(link.token);
    expect((await fetchFile(guest, file!.url)).status).toBe(404);
    expect(JSON.stringify((await guest.request('GET', `/api/support/threads/${raised.threadId}`)).body)).not.toContain(
      file!.attachmentId,
    );
    // nor by a signed link, which is only ever made for files partners see
    const signed = signAttachmentLink(
      TEST_GUEST_LINK_SECRET,
      file!.attachmentId,
      new Date(desk.clock.now().getTime() + 60_000),
    );
    expect((await desk.anonymous.request('GET', signedAttachmentPath(file!.attachmentId, signed))).status).toBe(404);
  });

  it('lets a guest attach to their thread only, and read none of another thread’s files', async () => {
    const mine = await ok(acme.request<RaisedQuery>('POST', '/api/support/threads', paymentQuery));
    const other = await ok(acme.request<RaisedQuery>('POST', '/api/support/threads', paymentQuery));
    const link = await issueThreadLink(agent, mine.threadId);
    const guest = desk.guest(link.token);
    const [file] = await upload(guest, { name: 'photo.png', bytes: await seededPng(random, 20, 20) });
    const refused = await guest.request('POST', `/api/support/threads/${other.threadId}/messages`, {
      body: 'here',
      attachmentIds: [file!.attachmentId],
    });
    expect(refused.status).toBe(404);
    // the refusal gave the file back: it can still go to the guest's own thread
    const posted = await post(guest, mine.threadId, { body: 'here it is', attachmentIds: [file!.attachmentId] });
    await scans.runOnce();
    expect((await view(agent, mine.threadId, posted.position)).messages.at(-1)!.attachments).toHaveLength(1);
    expect((await fetchFile(guest, file!.url)).status).toBe(200);

    const [theirs] = await upload(acme, { name: 'other.png', bytes: await seededPng(random, 21, 21) });
    const theirsPosted = await post(acme, other.threadId, { body: 'other', attachmentIds: [theirs!.attachmentId] });
    await view(agent, other.threadId, theirsPosted.position);
    await scans.runOnce();
    expect((await fetchFile(guest, theirs!.url)).status).toBe(404);
  });

  it('refuses to attach a file that is someone else’s upload, or already on a message, naming the field', async () => {
    const raised = await ok(acme.request<RaisedQuery>('POST', '/api/support/threads', paymentQuery));
    const [agentsFile] = await upload(agent, { name: 'a.png', bytes: await seededPng(random, 10, 10) });
    const refused = await acme.request<{ code: string; errors: { path: string }[] }>(
      'POST',
      `/api/support/threads/${raised.threadId}/messages`,
      { body: 'mine now', attachmentIds: [agentsFile!.attachmentId] },
    );
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('attachment_not_found');
    expect(refused.body.errors[0]!.path).toBe('body.attachmentIds.0');
    const [mine] = await upload(acme, { name: 'b.png', bytes: await seededPng(random, 11, 11) });
    await post(acme, raised.threadId, { body: 'once', attachmentIds: [mine!.attachmentId] });
    const twice = await acme.request<{ code: string }>('POST', `/api/support/threads/${raised.threadId}/messages`, {
      body: 'twice',
      attachmentIds: [mine!.attachmentId],
    });
    expect(twice.status).toBe(422);
    expect(twice.body.code).toBe('attachment_not_found');
  });

  it('stores the same file sent twice once', async () => {
    const png = await seededPng(random, 30, 30);
    const [a] = await upload(acme, { name: 'one.png', bytes: png });
    const [b] = await upload(agent, { name: 'two.png', bytes: png });
    expect(a!.attachmentId).not.toBe(b!.attachmentId);
    const { rows } = await desk.db.pool.query('SELECT count(*)::int AS n FROM blob_scans WHERE sha256 = $1', [
      sha256Of(png),
    ]);
    expect(rows[0].n).toBe(1);
  });
});

describe('what is refused, with nothing kept', () => {
  async function stagedCount(): Promise<number> {
    const { rows } = await desk.db.pool.query('SELECT count(*)::int AS n FROM attachments');
    return rows[0].n;
  }

  it('a .pdf that is really an executable', async () => {
    const before = await stagedCount();
    const res = await acme.request<{ code: string; errors: { path: string }[]; detail: string }>(
      'POST',
      '/api/support/attachments',
      filesForm({ name: 'invoice.pdf', bytes: seededExecutable(random), type: 'application/pdf' }),
    );
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('attachment_type_mismatch');
    expect(res.body.errors[0]!.path).toBe('file.0');
    expect(res.body.detail).toContain('invoice.pdf');
    expect(await stagedCount()).toBe(before);
  });

  it('a type not taken, and a whole request when one of its files is refused', async () => {
    const before = await stagedCount();
    const res = await acme.request<{ code: string }>(
      'POST',
      '/api/support/attachments',
      filesForm(
        { name: 'fine.png', bytes: await seededPng(random, 12, 12) },
        { name: 'setup.exe', bytes: seededExecutable(random) },
      ),
    );
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('attachment_type_not_allowed');
    expect(await stagedCount()).toBe(before);
  });

  it('a request without files, and a JSON body', async () => {
    const empty = await acme.request<{ code: string }>('POST', '/api/support/attachments', new FormData());
    expect(empty.status).toBe(400);
    const json = await acme.request('POST', '/api/support/attachments', { file: 'x' });
    expect(json.status).toBe(400);
    const form = filesForm({ name: 'ok.png', bytes: await seededPng(random, 13, 13) });
    form.append('note', 'a text part');
    const withText = await acme.request<{ errors: { path: string }[] }>('POST', '/api/support/attachments', form);
    expect(withText.status).toBe(400);
    expect(withText.body.errors[0]!.path).toBe('note');
  });

  it('cleans what a name must not carry', async () => {
    const [file] = await upload(acme, { name: '..\\..\\evil\u202Egnp.txt', bytes: Buffer.from('plain words\n') });
    expect(file!.fileName).toBe('evilgnp.txt');
    expect(file!.mediaType).toBe('text/plain');
  });
});

describe('erasing a file', () => {
  it('records who and why, keeps the hash in a verifiable history, and removes the bytes once no one else has them', async () => {
    const png = await seededPng(random, 40, 40);
    const [kept] = await upload(agent, { name: 'same.png', bytes: png });
    const [file] = await upload(acme, { name: 'passport.png', bytes: png });
    const raised = await raiseWith(acme, [file!.attachmentId]);
    await scans.runOnce();
    expect(
      (
        await agent.request('POST', `/api/support/threads/${raised.threadId}/attachments/${file!.attachmentId}/erase`, {
          reason: 'x',
        })
      ).status,
    ).toBe(403);
    const noReason = await admin.request(
      'POST',
      `/api/support/threads/${raised.threadId}/attachments/${file!.attachmentId}/erase`,
      { reason: ' ' },
    );
    expect(noReason.status).toBe(400);
    const erased = await ok(
      admin.request<{ position: string }>(
        'POST',
        `/api/support/threads/${raised.threadId}/attachments/${file!.attachmentId}/erase`,
        {
          reason: 'A passport sent by mistake',
        },
      ),
      200,
    );
    const staff = (await view(agent, raised.threadId, erased.position)).messages[0]!.attachments[0]!;
    expect(staff.erased).toMatchObject({ by: 'Ada Admin', reason: 'A passport sent by mistake' });
    expect(staff.url).toBeNull();
    const partner = (await view(acme, raised.threadId)).messages[0]!.attachments[0]!;
    expect(partner.erased).toMatchObject({ by: 'Ada Admin', reason: null });
    expect((await fetchFile(agent, file!.url)).status).toBe(410);
    // the same bytes are still another upload's
    expect(await desk.blobStore.stat(sha256Of(png))).not.toBeNull();
    const history = await ok(
      admin.request<{ events: { type: string; data: Record<string, unknown> }[]; verification: { ok: boolean } }>(
        'GET',
        `/api/audit/threads/${raised.threadId}/history`,
      ),
      200,
    );
    expect(history.verification.ok).toBe(true);
    const event = history.events.find((e) => e.type === 'AttachmentErased')!;
    expect(event.data).toMatchObject({
      attachmentId: file!.attachmentId,
      sha256: sha256Of(png),
      reason: 'A passport sent by mistake',
    });
    expect(history.events[0]!.data.attachments).toEqual([
      expect.objectContaining({ attachmentId: file!.attachmentId, sha256: sha256Of(png), fileName: 'passport.png' }),
    ]);
    // erasing again changes nothing
    await ok(
      admin.request('POST', `/api/support/threads/${raised.threadId}/attachments/${file!.attachmentId}/erase`, {
        reason: 'again',
      }),
      200,
    );
    const again = await ok(
      admin.request<{ events: { type: string }[] }>('GET', `/api/audit/threads/${raised.threadId}/history`),
      200,
    );
    expect(again.events.filter((e) => e.type === 'AttachmentErased')).toHaveLength(1);

    // once the other copy goes too (staged and never sent: the cleanup), the bytes are gone
    desk.clock.shift(25 * 3_600_000);
    const cleanup = new StagedFileCleanup({
      attachments: desk.desk.attachments,
      stagedHours: 24,
      logger: createLogger('silent'),
      clock: desk.clock.now,
    });
    const removed = await cleanup.runOnce();
    expect(removed.files).toBeGreaterThan(0);
    expect(await desk.desk.attachments.byId(kept!.attachmentId)).toBeUndefined();
    expect(await desk.blobStore.stat(sha256Of(png))).toBeNull();
    // a posted file is never a staged one
    expect(await desk.desk.attachments.byId(file!.attachmentId)).toBeDefined();
  });
});

describe('signed links for email', () => {
  it('open a partner-visible file until they expire, and nothing when tampered with', async () => {
    const pdf = seededPdf(random);
    const [file] = await upload(acme, { name: 'delivery note.pdf', bytes: pdf });
    const raised = await raiseWith(acme, [file!.attachmentId]);
    await view(agent, raised.threadId, raised.position);
    await scans.runOnce();
    const link = signAttachmentLink(
      TEST_GUEST_LINK_SECRET,
      file!.attachmentId,
      new Date(desk.clock.now().getTime() + 3_600_000),
    );
    const path = signedAttachmentPath(file!.attachmentId, link);
    const got = await bytesOf(desk.base, path, {});
    expect(got.status).toBe(200);
    expect(sha256Of(got.bytes)).toBe(sha256Of(pdf));
    const tampered = path.replace(/signature=./, (m) =>
      m.endsWith('A') ? m.slice(0, -1) + 'B' : m.slice(0, -1) + 'A',
    );
    expect((await bytesOf(desk.base, tampered, {})).status).toBe(404);
    desk.clock.shift(2 * 3_600_000);
    const expired = await desk.anonymous.request<{ code: string }>('GET', path);
    expect(expired.status).toBe(410);
    expect(expired.body.code).toBe('attachment_link_expired');
  });
});

describe('the ops figures', () => {
  it('are for ops and admins', async () => {
    const figures = await ok(
      admin.request<{ files: number; storedBytes: number; scanner: string | null }>('GET', '/api/ops/attachments'),
      200,
    );
    expect(figures.files).toBeGreaterThan(0);
    expect(figures.storedBytes).toBeGreaterThan(0);
    expect(figures.scanner).toBeNull();
    expect((await acme.request('GET', '/api/ops/attachments')).status).toBe(403);
  });
});
