import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { call, sleep, type Caller, type RawAnswer } from './http.js';
import type { Acknowledged } from './invariants.js';

export interface CommandLoadOptions {
  /** Where the API is (read at every request: it may move). */
  base: () => string;
  partner: Caller;
  agent: Caller;
  /** Concurrent clients. */
  clients: number;
  /** Per request. */
  timeoutMs?: number;
  /** Attempts per command (a retry reuses the Idempotency-Key). */
  attempts?: number;
  /** The load's choices (replies per thread, whether to resolve, back-off): seeded, so a run replays. */
  random: () => number;
}

/** One answer (or failure) as a client saw it. */
export interface Observation {
  operation: string;
  status: number | 'network';
  ms: number;
  retryAfter?: string | undefined;
  contentType?: string | undefined;
  detail?: string | undefined;
}

/**
 * A steady command load of a few clients: a partner raises a query, the agent and the partner
 * reply in turn, the agent sometimes resolves. Every command carries an Idempotency-Key (retried
 * with the same key after a network failure or a 503), and a unique marker in its text, so the log
 * can be checked afterwards: every acknowledged (2xx) command is there, and none is there twice.
 */
export class CommandLoad {
  readonly acks: Acknowledged[] = [];
  /** marker → acknowledged by a 2xx answer. */
  readonly markers = new Map<string, boolean>();
  readonly observations: Observation[] = [];
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly options: CommandLoadOptions) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.clients }, (_, i) => this.client(i));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  get acknowledged(): number {
    return this.acks.length;
  }

  statusCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const o of this.observations) out[String(o.status)] = (out[String(o.status)] ?? 0) + 1;
    return out;
  }

  private async client(index: number): Promise<void> {
    const { partner, agent } = this.options;
    while (this.running) {
      const raised = await this.command('raiseQuery', partner, 'POST', '/api/support/threads', (marker) => ({
        assignmentId: 'asg-1001',
        queryType: 'OTHER',
        priority: 'LOW',
        subject: `Chaos client ${index}`,
        body: marker,
      }));
      if (!raised) {
        await sleep(100);
        continue;
      }
      const threadId = String((raised as { threadId: string }).threadId);
      const rounds = 1 + Math.floor(this.options.random() * 3);
      for (let r = 0; r < rounds && this.running; r++) {
        await this.command('staffReply', agent, 'POST', `/api/support/threads/${threadId}/messages`, (marker) => ({
          body: marker,
          visibility: 'external',
        }));
        await this.command('partnerReply', partner, 'POST', `/api/support/threads/${threadId}/messages`, (marker) => ({
          body: marker,
        }));
      }
      if (this.running && this.options.random() < 0.4) {
        await this.command('resolve', agent, 'POST', `/api/support/threads/${threadId}/resolve`, () => undefined);
      }
    }
  }

  /** Sends one command, retrying with the same key; answers the body of a 2xx (and records the ack). */
  private async command(
    operation: string,
    caller: Caller,
    method: string,
    path: string,
    body: (marker: string) => unknown,
  ): Promise<Record<string, unknown> | undefined> {
    const key = `chaos-${randomUUID()}`;
    const payload = body(`marker ${key}`);
    if (payload !== undefined) this.markers.set(`marker ${key}`, false);
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 0; attempt < attempts && this.running; attempt++) {
      let answer: RawAnswer;
      const started = performance.now();
      try {
        answer = await call(this.options.base(), caller, method, path, payload, {
          timeoutMs: this.options.timeoutMs ?? 15_000,
          headers: { 'idempotency-key': key },
        });
      } catch (error) {
        this.observations.push({
          operation,
          status: 'network',
          ms: performance.now() - started,
          detail: (error as Error).message,
        });
        await sleep(200 + this.options.random() * 300);
        continue;
      }
      this.observations.push({
        operation,
        status: answer.status,
        ms: answer.ms,
        retryAfter: headerText(answer.headers['retry-after']),
        contentType: headerText(answer.headers['content-type']),
        ...(answer.status >= 500 ? { detail: answer.text.slice(0, 300) } : {}),
      });
      if (answer.status >= 200 && answer.status < 300) {
        const result = answer.json as Record<string, unknown>;
        const threadId = String(result.threadId);
        this.acks.push({
          stream: `thread-${threadId}`,
          revision: Number(result.revision),
          position: typeof result.position === 'string' ? result.position : null,
          operation,
        });
        if (payload !== undefined) this.markers.set(`marker ${key}`, true);
        return result;
      }
      if (answer.status === 503 || answer.status === 429) {
        await sleep(Math.min(1000, Number(headerText(answer.headers['retry-after']) ?? 1) * 1000));
        continue;
      }
      return undefined; // refused for good (4xx): not acknowledged
    }
    return undefined;
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** How many events of the log carry each marker (in a message body or a query body). */
export async function markerCounts(pool: pg.Pool, markers: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ marker: string; n: number }>(
    `SELECT data->>'body' AS marker, count(*)::int AS n FROM es_events
      WHERE event_type IN ('QueryRaised', 'MessagePosted') AND data->>'body' = ANY($1)
      GROUP BY 1`,
    [markers],
  );
  return new Map(rows.map((r) => [r.marker, r.n]));
}
