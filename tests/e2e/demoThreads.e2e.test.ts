import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/freePort.js';
import { startMain } from '../support/mainProcess.js';
import { createTestDatabase } from '../support/testDatabase.js';
import { TEST_SEAL_KEY, httpClients, type ApiClient } from '../support/testDesk.js';

interface Row {
  threadId: string;
  subject: string;
  status: string;
  partnerOrgId: string;
  lastMessagePreview: string | null;
}

/** Reads `path` until `done` holds (the projector catches up on its own time), at most 30 s. */
async function readUntil<T>(client: ApiClient, url: string, done: (body: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const { status, body } = await client.request<T>('GET', url);
    if (status === 200 && done(body)) return body;
    if (i >= 300) throw new Error(`${url} never showed what was expected: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A first start on the embedded default opens a desk that is working: realistic demo threads
 * raised by the demo partners, some answered, one with an internal note, one resolved. A restart
 * adds none, and a real database (DATABASE_URL) never gets any, even with SEED_DEMO=true.
 */
describe('demo threads on a first start', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'support-desk-demo-'));
    await chmod(dir, 0o755);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('the embedded default seeds them once: staff see every one, partners only theirs and never the note', async () => {
    const env = { EMBEDDED_PG_DIR: path.join(dir, 'postgres'), EMBEDDED_PG_PORT: String(await freePort()) };
    const first = await startMain(env);
    let threadIds: string[];
    try {
      const clients = httpClients(first.base);
      const agent = await clients.signIn('agent@demo.test');
      const inbox = await readUntil<{ items: Row[] }>(agent, '/api/support/inbox', (b) => b.items.length >= 4);
      expect(inbox.items).toHaveLength(4);
      const statuses = inbox.items.map((r) => r.status).sort();
      expect(statuses).toEqual(['OPEN', 'OPEN', 'PENDING', 'RESOLVED']);
      expect(new Set(inbox.items.map((r) => r.partnerOrgId))).toEqual(new Set(['acme', 'globex']));
      threadIds = inbox.items.map((r) => r.threadId);

      // the answered acme thread carries an internal note for staff, and the partner never sees it
      const answered = inbox.items.find((r) => r.status === 'PENDING')!;
      const staffView = await agent.request<{ messages: { visibility: string; body: string }[] }>(
        'GET',
        `/api/support/threads/${answered.threadId}`,
      );
      const note = staffView.body.messages.find((m) => m.visibility === 'internal');
      expect(note).toBeDefined();
      const partner = await clients.signIn('partner@acme.test');
      const mine = await readUntil<{ items: Row[] }>(partner, '/api/support/my/threads', (b) => b.items.length >= 3);
      const acme = inbox.items.filter((r) => r.partnerOrgId === 'acme').map((r) => r.threadId);
      expect(mine.items.map((r) => r.threadId).sort()).toEqual(acme.sort());
      const partnerView = await partner.request<{ messages: { body: string }[] }>(
        'GET',
        `/api/support/threads/${answered.threadId}`,
      );
      expect(partnerView.status).toBe(200);
      expect(partnerView.body.messages.map((m) => m.body)).not.toContain(note!.body);
      expect(first.output()).toContain('seeded demo threads on a first start');
    } finally {
      expect(await first.stop()).toBe(0);
    }

    // a restart on the same data seeds nothing more
    const second = await startMain(env);
    try {
      const agent = await httpClients(second.base).signIn('agent@demo.test');
      const inbox = await readUntil<{ items: Row[] }>(agent, '/api/support/inbox', (b) => b.items.length >= 4);
      expect(inbox.items.map((r) => r.threadId).sort()).toEqual([...threadIds].sort());
      expect(second.output()).not.toContain('seeded demo threads');
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('a real database gets demo accounts when asked, and never demo threads', async () => {
    const db = await createTestDatabase({ migrate: false });
    const desk = await startMain({ DATABASE_URL: db.url, SEED_DEMO: 'true', AUDIT_SEAL_KEY: TEST_SEAL_KEY });
    try {
      const agent = await httpClients(desk.base).signIn('agent@demo.test'); // the accounts were seeded
      const { rows } = await db.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM es_events WHERE stream_name LIKE 'thread-%'`,
      );
      expect(Number(rows[0]!.n)).toBe(0);
      const inbox = await agent.request<{ items: Row[] }>('GET', '/api/support/inbox');
      expect(inbox.body.items).toEqual([]);
      expect(desk.output()).not.toContain('seeded demo threads');
    } finally {
      expect(await desk.stop()).toBe(0);
      await db.drop();
    }
  });
});
