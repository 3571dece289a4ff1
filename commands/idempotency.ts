import { createHash } from 'node:crypto';
import type pg from 'pg';
import { HttpProblem } from '../platform/http/problem.js';
import type { RouteResult } from '../platform/http/route.js';

const keyPattern = /^[\x21-\x7e]{1,200}$/;

export interface IdempotentRequest {
  /** Raw Idempotency-Key header, if any. */
  key: string | undefined;
  /** Who is asking: keys are scoped per caller. */
  callerId: string;
  /** The operation and its input: the same key with another request is refused. */
  fingerprint: unknown;
}

/**
 * Idempotency-Key: the first answer of a request is kept; a retry with the same key and the
 * same request gets that answer (with `Idempotent-Replayed: true`) and appends nothing. The
 * key also seeds the event ids (see handleCommand), so two concurrent retries append once.
 */
export class IdempotencyStore {
  constructor(private readonly pool: pg.Pool) {}

  async run<R>(
    request: IdempotentRequest,
    execute: (keyHash: string | undefined) => Promise<RouteResult<R>>,
  ): Promise<RouteResult<R>> {
    if (request.key === undefined) return execute(undefined);
    if (!keyPattern.test(request.key)) {
      throw new HttpProblem(400, 'Bad Request', 'Idempotency-Key must be 1 to 200 visible ASCII characters', {
        code: 'invalid_input',
        errors: [{ path: 'headers.idempotency-key', message: 'must be 1 to 200 visible ASCII characters' }],
      });
    }
    const keyHash = createHash('sha256').update(`${request.callerId}\n${request.key}`).digest('hex');
    const fingerprint = createHash('sha256').update(JSON.stringify(request.fingerprint)).digest('hex');
    const previous = await this.find(keyHash);
    if (previous) return this.replay<R>(previous, fingerprint);

    const result = await execute(keyHash);
    const { rows } = await this.pool.query<StoredAnswer>(
      `INSERT INTO command_requests (key_hash, fingerprint, status, body, headers) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (key_hash) DO NOTHING RETURNING fingerprint, status, body, headers`,
      [
        keyHash,
        fingerprint,
        result.status ?? 200,
        JSON.stringify(result.body ?? null),
        JSON.stringify(result.headers ?? {}),
      ],
    );
    if (rows.length === 0) {
      // a concurrent twin stored its answer first; answer as it did
      const twin = await this.find(keyHash);
      if (twin) return this.replay<R>(twin, fingerprint);
    }
    return result;
  }

  private async find(keyHash: string): Promise<StoredAnswer | undefined> {
    const { rows } = await this.pool.query<StoredAnswer>(
      'SELECT fingerprint, status, body, headers FROM command_requests WHERE key_hash = $1',
      [keyHash],
    );
    return rows[0];
  }

  private replay<R>(stored: StoredAnswer, fingerprint: string): RouteResult<R> {
    if (stored.fingerprint !== fingerprint) {
      throw new HttpProblem(422, 'Unprocessable Content', undefined, {
        code: 'idempotency_key_reused',
      });
    }
    return {
      status: stored.status,
      body: stored.body as R,
      headers: { ...stored.headers, 'Idempotent-Replayed': 'true' },
    };
  }

  /** Keys older than a day are forgotten (as Stripe does); run from a periodic job. */
  async purge(olderThanHours = 24): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM command_requests WHERE created_at < now() - make_interval(hours => $1)`,
      [olderThanHours],
    );
    return rowCount ?? 0;
  }
}

interface StoredAnswer {
  fingerprint: string;
  status: number;
  body: unknown;
  headers: Record<string, string>;
}
