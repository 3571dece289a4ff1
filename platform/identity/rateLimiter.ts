import type pg from 'pg';
import { sha256Hex } from './sessions.js';

/**
 * Fixed-window rate limits kept in Postgres, so every API process counts against the same
 * limit. Windows are epoch multiples of the window length on the desk's clock (the one its
 * commands use, so a test can place itself at the start of a window instead of racing its end).
 * Keys must not hold raw secrets or personal data: build them with rateLimitKey().
 */

export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window ends when refused; 0 when allowed. */
  retryAfterSeconds: number;
  /** Hits left in this window. */
  remaining: number;
}

/**
 * A counter key: a readable namespace and the SHA-256 of the identifying parts (an ip, an
 * email, a token…), so the table never holds them in the clear.
 */
export function rateLimitKey(namespace: string, ...parts: string[]): string {
  return `${namespace}:${sha256Hex(parts.join('\u0000'))}`;
}

const MAX_KEY_LENGTH = 200;

export class RateLimiter {
  private readonly retentionSeconds: number;
  private readonly cleanupEveryMs: number;
  private readonly clock: () => Date;
  private lastCleanup = Date.now();
  private cleaning: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    options: {
      /** Counters older than this are deleted; also the longest window allowed. Default one day. */
      retentionSeconds?: number;
      /** How often one process deletes old counters. Default every 5 minutes. */
      cleanupEverySeconds?: number;
      /** The desk's clock; windows are aligned on it. */
      clock?: () => Date;
    } = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.retentionSeconds = options.retentionSeconds ?? 24 * 3600;
    this.cleanupEveryMs = (options.cleanupEverySeconds ?? 300) * 1000;
  }

  /** Counts one hit against `key` and says whether it is within the limit. */
  async hit(key: string, { limit, windowSeconds }: RateLimit): Promise<RateLimitResult> {
    if (!key || key.length > MAX_KEY_LENGTH) throw new Error(`a rate limit key has 1 to ${MAX_KEY_LENGTH} characters`);
    if (!Number.isInteger(limit) || limit < 1) throw new Error('a rate limit is a positive integer');
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > this.retentionSeconds) {
      throw new Error(`a rate limit window is a whole number of seconds from 1 to ${this.retentionSeconds}`);
    }
    const { rows } = await this.pool.query<{ count: number; retry_after: number }>(
      `INSERT INTO rate_limit_counters AS c (key, window_start, count)
       VALUES ($1, to_timestamp(floor(extract(epoch FROM $3::timestamptz) / $2::int) * $2::int), 1)
       ON CONFLICT (key, window_start) DO UPDATE SET count = c.count + 1
       RETURNING c.count,
                 ceil(extract(epoch FROM c.window_start + make_interval(secs => $2::int) - $3::timestamptz))::int AS retry_after`,
      [key, windowSeconds, this.clock()],
    );
    const row = rows[0]!;
    this.maybeCleanup();
    const allowed = row.count <= limit;
    return {
      allowed,
      retryAfterSeconds: allowed ? 0 : Math.max(1, row.retry_after),
      remaining: Math.max(0, limit - row.count),
    };
  }

  /** Deletes counters older than the retention; answers how many. */
  async cleanup(): Promise<number> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM rate_limit_counters WHERE window_start < $2::timestamptz - make_interval(secs => $1::int)',
      [this.retentionSeconds, this.clock()],
    );
    return rowCount ?? 0;
  }

  /** Waits for a cleanup in progress (for orderly shutdown and tests). */
  async idle(): Promise<void> {
    await this.cleaning;
  }

  private maybeCleanup(): void {
    if (this.cleaning || Date.now() - this.lastCleanup < this.cleanupEveryMs) return;
    this.lastCleanup = Date.now();
    this.cleaning = this.cleanup()
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => {
        this.cleaning = undefined;
      });
  }
}
