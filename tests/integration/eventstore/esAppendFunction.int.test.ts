import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/**
 * `es_append`, the stored function for scripts and tests that write the log directly, keeps
 * each stream in revision order only as the first write of its transaction (migration 0007).
 */
describe('es_append', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 3 });
  });
  afterAll(async () => db?.drop());

  const append = (client: { query: TestDatabase['pool']['query'] }, stream: string) =>
    client.query(
      'SELECT * FROM es_append($1, $2, NULL, ARRAY[$3::uuid], ARRAY[$4], ARRAY[$5::jsonb], ARRAY[$6::jsonb])',
      [stream, 'any', randomUUID(), 'Probe', '{}', '{}'],
    );

  it('when it is the first write of its transaction, then it appends', async () => {
    const stream = `fn-${randomUUID()}`;
    const { rows } = await append(db.pool, stream);
    expect(rows[0]).toMatchObject({ next_revision: '0', duplicate: false });
  });

  it('when the transaction wrote before (another append included), then it refuses with ES003 and nothing is written', async () => {
    const stream = `fn-${randomUUID()}`;
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await append(client, `fn-${randomUUID()}`);
      const error = await append(client, stream).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ES003' });
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events WHERE stream_name = $1', [
      stream,
    ]);
    expect(rows[0]?.n).toBe('0');
  });
});
