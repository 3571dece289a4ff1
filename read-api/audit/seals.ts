import type pg from 'pg';
import type { ChainSeal } from '../../eventstore/hashChain.js';

/** The seals the chain sealer (workers/chainSealer.ts) wrote for one stream, oldest first. */
export async function sealsOf(pool: pg.Pool, streamName: string): Promise<ChainSeal[]> {
  const { rows } = await pool.query<{
    stream_name: string;
    revision: string;
    hash: string;
    hmac: string;
    sealed_at: Date;
  }>('SELECT * FROM chain_seals WHERE stream_name = $1 ORDER BY revision', [streamName]);
  return rows.map((r) => ({
    streamName: r.stream_name,
    revision: Number(r.revision),
    hash: r.hash,
    hmac: r.hmac,
    sealedAt: r.sealed_at.toISOString(),
  }));
}
