import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_PATH } from '../../../read-api/live/index.js';
import { createLogger } from '../../../platform/logger.js';
import { ScanWorker } from '../../../workers/scanning/scanWorker.js';
import { filesForm, seededPng, sha256Of } from '../../support/attachmentFiles.js';
import { EICAR_SIGNATURE, eicarBytes, startClamd, type ClamdProcess } from '../../support/clamd.js';
import { LiveClient, until } from '../../support/liveClient.js';
import { paymentQuery, type RaisedQuery } from '../../support/raiseQuery.js';
import { seededRandom, testSeed } from '../../support/seededRandom.js';
import { ok, startTestDesk, type TestDesk } from '../../support/testDesk.js';

/**
 * What keeps files safe: a real clamd quarantines the EICAR file, a file past the limit is refused
 * without the server holding it, and an internal note's file never reaches a partner's push.
 */

const random = seededRandom(testSeed('attachment safety'));

type SignedIn = Awaited<ReturnType<TestDesk['signIn']>>;
let desk: TestDesk;
let clamd: ClamdProcess;
let scans: ScanWorker;
let admin: SignedIn;
let agent: SignedIn;
let acme: SignedIn;

beforeAll(async () => {
  clamd = await startClamd({ streamMaxLength: '30M' });
  desk = await startTestDesk();
  scans = new ScanWorker({
    pool: desk.db.pool,
    blobStore: desk.blobStore,
    scanner: clamd.scanner(),
    logger: createLogger('silent'),
  });
  [admin, agent, acme] = await Promise.all([
    desk.signIn('admin@demo.test'),
    desk.signIn('agent@demo.test'),
    desk.signIn('partner@acme.test'),
  ]);
}, 120_000);

afterAll(async () => {
  await desk?.stop();
  await clamd?.stop();
});

async function upload(client: SignedIn, name: string, bytes: Uint8Array) {
  const body = await ok(
    client.request<{ attachments: { attachmentId: string; url: string }[] }>(
      'POST',
      '/api/support/attachments',
      filesForm({ name, bytes }),
    ),
  );
  return body.attachments[0]!;
}

describe('virus scanning with a real clamd', () => {
  it('quarantines the EICAR file: never served, not even to its uploader, never posted, listed for admins with why', async () => {
    const file = await upload(acme, 'eicar.txt', eicarBytes());
    expect((await acme.request('GET', file.url)).status).toBe(200); // pending: its uploader may look
    await scans.runOnce();
    const refused = await acme.request<{ code: string }>('GET', file.url);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('attachment_quarantined');
    const raised = await ok(acme.request<RaisedQuery>('POST', '/api/support/threads', paymentQuery));
    const posted = await acme.request<{ code: string }>('POST', `/api/support/threads/${raised.threadId}/messages`, {
      body: 'see attached',
      attachmentIds: [file.attachmentId],
    });
    expect(posted.status).toBe(422);
    expect(posted.body.code).toBe('attachment_quarantined');
    const figures = await ok(
      admin.request<{ infected: number; quarantined: { attachmentId: string; status: string; detail: string }[] }>(
        'GET',
        '/api/ops/attachments',
      ),
      200,
    );
    expect(figures.infected).toBe(1);
    expect(figures.quarantined).toEqual([
      expect.objectContaining({
        attachmentId: file.attachmentId,
        status: 'infected',
        detail: expect.stringContaining(EICAR_SIGNATURE),
      }),
    ]);
  });

  it('serves a clean file once it is scanned, and shows its state to every reader', async () => {
    const png = await seededPng(random);
    const file = await upload(acme, 'clean.png', png);
    const raised = await ok(
      acme.request<RaisedQuery>('POST', '/api/support/threads', {
        ...paymentQuery,
        attachmentIds: [file.attachmentId],
      }),
    );
    const before = await ok(
      agent.request<{ messages: { attachments: { scan: string }[] }[] }>(
        'GET',
        `/api/support/threads/${raised.threadId}?waitFor=${raised.position}`,
      ),
      200,
    );
    expect(before.messages[0]!.attachments[0]!.scan).toBe('pending');
    expect((await agent.request('GET', file.url)).status).toBe(409);
    await scans.runOnce();
    const after = await ok(
      agent.request<{ messages: { attachments: { scan: string }[] }[] }>(
        'GET',
        `/api/support/threads/${raised.threadId}`,
      ),
      200,
    );
    expect(after.messages[0]!.attachments[0]!.scan).toBe('clean');
    const res = await fetch(`${desk.base}${file.url}`, { headers: agent.headers });
    expect(res.status).toBe(200);
    expect(sha256Of(Buffer.from(await res.arrayBuffer()))).toBe(sha256Of(png));
  });
});

describe('a file past the limit', () => {
  it('is refused without the server holding it: its live memory grows by a fraction of the file (measured)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const live = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    // the probe sees what a server that buffered the file would hold
    const baseline = live();
    const held = [Buffer.alloc(26 * 1024 * 1024, 1)];
    const seen = live() - baseline;
    expect(seen).toBeGreaterThan(24 * 1024 * 1024);
    held.length = 0;

    // the client is another process (curl, as CI's smoke test uses): an in-process fetch would hold
    // what it sends in this very heap, and the probe would measure the client, not the server
    const size = 26 * 1024 * 1024;
    const folder = await mkdtemp(path.join(tmpdir(), 'desk-big-upload-'));
    {
      // made here and written to disk: nothing of it stays in this process once the block ends
      const file = Buffer.alloc(size);
      (await seededPng(random, 8, 8)).copy(file);
      for (let i = 4096; i + 4 <= size; i += 4) file.writeUInt32LE((random.next() * 2 ** 32) >>> 0, i);
      await writeFile(path.join(folder, 'big.png'), file);
    }
    let peak = 0;
    const start = live();
    const sampler = setInterval(() => (peak = Math.max(peak, live() - start)), 25);
    const answer = await new Promise<string>((resolve, reject) =>
      execFile(
        'curl',
        [
          '-sS',
          '-H',
          `cookie: ${acme.headers.cookie}`,
          '-H',
          `x-csrf-token: ${acme.headers['x-csrf-token']}`,
          '-F',
          `file=@${path.join(folder, 'big.png')};type=image/png`,
          '-w',
          '\n%{http_code}',
          `${desk.base}/api/support/attachments`,
        ],
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    ).finally(() => clearInterval(sampler));
    peak = Math.max(peak, live() - start);
    await rm(folder, { recursive: true, force: true });
    const [json, status] = [answer.slice(0, answer.lastIndexOf('\n')), answer.slice(answer.lastIndexOf('\n') + 1)];
    console.log(
      `refusing a 26 MB upload: the server's live memory peaked ${(peak / 1024 / 1024).toFixed(1)} MB above where it started`,
    );
    expect(status).toBe('413');
    expect((JSON.parse(json) as { code: string }).code).toBe('attachment_too_large');
    expect(peak).toBeLessThan(8 * 1024 * 1024);
    const { rows } = await desk.db.pool.query("SELECT count(*)::int AS n FROM attachments WHERE file_name = 'big.png'");
    expect(rows[0].n).toBe(0);
  }, 120_000);
});

describe('the live push', () => {
  it('sends an internal note’s file to staff and nothing of it to the partner', async () => {
    const raised = await ok(acme.request<RaisedQuery>('POST', '/api/support/threads', paymentQuery));
    const wsUrl = `${desk.base.replace('http', 'ws')}${LIVE_PATH}`;
    const staffSocket = await LiveClient.connect(wsUrl, { cookie: agent.headers.cookie!, origin: desk.base });
    const partnerSocket = await LiveClient.connect(wsUrl, { cookie: acme.headers.cookie!, origin: desk.base });
    try {
      const note = await upload(agent, 'margin.png', await seededPng(random, 9, 9));
      await ok(
        agent.request('POST', `/api/support/threads/${raised.threadId}/messages`, {
          body: 'margin sheet',
          visibility: 'internal',
          attachmentIds: [note.attachmentId],
        }),
      );
      const shared = await upload(agent, 'label.png', await seededPng(random, 10, 10));
      await ok(
        agent.request('POST', `/api/support/threads/${raised.threadId}/messages`, {
          body: 'the label',
          attachmentIds: [shared.attachmentId],
        }),
      );
      await until(
        () => staffSocket.raw.some((f) => f.includes(shared.attachmentId)),
        10_000,
        'the staff push of both files',
      );
      await until(
        () => partnerSocket.raw.some((f) => f.includes(shared.attachmentId)),
        10_000,
        'the partner push of the reply',
      );
      expect(staffSocket.raw.some((f) => f.includes(note.attachmentId))).toBe(true);
      expect(partnerSocket.raw.some((f) => f.includes(note.attachmentId))).toBe(false);
      expect(partnerSocket.raw.some((f) => f.includes('margin.png'))).toBe(false);
    } finally {
      await staffSocket.close();
      await partnerSocket.close();
    }
  });
});
