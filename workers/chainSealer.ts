import type pg from 'pg';
import { chainOf, isChained, sealHmac } from '../eventstore/hashChain.js';
import { formatPosition, parsePosition, START, type EventStore } from '../eventstore/port.js';
import { inTransaction } from '../platform/database/transaction.js';

/**
 * Seals the head of every chained stream that grew since the last run: HMAC(key, stream,
 * revision, hash), stored beside the log. It follows the log with its own checkpoint, so it
 * works the same on both event stores.
 */
export class ChainSealer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly eventStore: EventStore,
    private readonly key: string,
  ) {}

  async sealOnce(batchSize = 5000): Promise<number> {
    const { rows } = await this.pool.query<{ position: string }>('SELECT position FROM chain_sealer_checkpoint');
    let after = rows[0] ? parsePosition(rows[0].position) : START;
    let sealed = 0;
    for (;;) {
      const batch = await this.eventStore.readAll({ after, limit: batchSize });
      if (batch.length === 0) return sealed;
      const heads = new Map<string, { revision: number; hash: string }>();
      for (const event of batch) {
        const link = isChained(event.streamName) ? chainOf(event) : undefined;
        if (link) heads.set(event.streamName, { revision: event.revision, hash: link.hash });
      }
      after = batch[batch.length - 1]!.position;
      const seals = [...heads.entries()].map(([streamName, h]) => ({
        stream_name: streamName,
        revision: h.revision,
        hash: h.hash,
        hmac: sealHmac(this.key, streamName, h.revision, h.hash),
      }));
      await inTransaction(this.pool, async (client) => {
        if (seals.length) {
          await client.query(
            `INSERT INTO chain_seals (stream_name, revision, hash, hmac)
             SELECT * FROM jsonb_to_recordset($1::jsonb) AS s(stream_name text, revision bigint, hash text, hmac text)
             ON CONFLICT DO NOTHING`,
            [JSON.stringify(seals)],
          );
        }
        await client.query(
          `INSERT INTO chain_sealer_checkpoint (id, position) VALUES (true, $1) ON CONFLICT (id) DO UPDATE SET position = $1`,
          [formatPosition(after)],
        );
      });
      sealed += seals.length;
    }
  }

  start(intervalSeconds: number, onError: (error: unknown) => void): void {
    const tick = () => {
      this.sealOnce()
        .catch(onError)
        .finally(() => {
          this.timer = setTimeout(tick, intervalSeconds * 1000);
          this.timer.unref();
        });
    };
    tick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
