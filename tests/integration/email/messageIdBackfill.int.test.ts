import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../../../platform/database/migrate.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/**
 * Emails sent before their Message-IDs were recorded (one per query, shared by support and the
 * acknowledgement, all replying to a `<thread-<id>@support-desk>` root nobody sent): the migration
 * that adds email_thread_message_ids records their root first, then their ids in the order sent,
 * so replies to them can still be matched and later emails still thread with them.
 */
describe('email_thread_message_ids over emails sent before it', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => db?.drop());

  it('when the migration runs over old emails, then their root and ids are recorded, root first, in the order sent', async () => {
    const all = await loadMigrations();
    const added = all.find((m) => m.name === 'email_thread_message_ids')!;
    await migrate(
      db.pool,
      all.filter((m) => m.version < added.version),
    );
    const threadId = randomUUID();
    const root = `<thread-${threadId}@support-desk>`;
    const old = (n: number, messageId: string, minute: number) => ({
      id: createHash('sha256').update(`old email ${n}`).digest('hex'),
      headers: {
        'Message-ID': `<thread-${threadId}.${messageId}@support-desk>`,
        'In-Reply-To': root,
        References: root,
      },
      createdAt: new Date(Date.UTC(2025, 0, 1, 9, minute)).toISOString(),
    });
    const raised = randomUUID();
    const reply = randomUUID();
    const emails = [old(3, reply, 10), old(1, raised, 0), old(2, raised, 0)];
    for (const email of emails) {
      await db.pool.query(
        `INSERT INTO email_outbox (id, event_id, thread_id, template, audience, recipient, sender, subject, html, text,
                                   headers, status, created_at)
         VALUES ($1, gen_random_uuid(), $2, 'staff_reply', 'partner', 'pat@acme.test', 'desk@example.com', 's', 'h', 't',
                 $3, 'sent', $4)`,
        [email.id, threadId, JSON.stringify(email.headers), email.createdAt],
      );
    }
    await migrate(db.pool, [added]);
    const { rows } = await db.pool.query<{ message_id: string; direction: string }>(
      'SELECT message_id, direction FROM email_thread_message_ids WHERE thread_id = $1 ORDER BY at, seq',
      [threadId],
    );
    expect(rows).toEqual(
      [root, `<thread-${threadId}.${raised}@support-desk>`, `<thread-${threadId}.${reply}@support-desk>`].map(
        (message_id) => ({ message_id, direction: 'outbound' }),
      ),
    );
  });
});
