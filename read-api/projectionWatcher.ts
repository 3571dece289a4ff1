import pg from 'pg';
import { parsePosition, type Position } from '../eventstore/port.js';
import { problems } from '../platform/http/problem.js';
import { PROJECTION_CHANGES_CHANNEL, type ProjectionEngine } from '../projections/projectionEngine.js';

export const MAX_WAIT_MS = 5000;

/**
 * Read-your-writes: a read that names a position (from a command's answer) waits, bounded,
 * until the projections it reads have reached it. Woken by the projector's NOTIFY; polls too.
 */
export class ProjectionWatcher {
  private client: pg.Client | undefined;
  private readonly waiters = new Set<() => void>();
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly engine: ProjectionEngine,
    private readonly connectionString: string,
  ) {}

  private ensureListening(): Promise<void> {
    if (this.client) return Promise.resolve();
    if (!this.connecting) {
      const client = new pg.Client({ connectionString: this.connectionString, application_name: 'read-your-writes' });
      client.on('notification', () => this.wake());
      client.on('error', () => {
        this.client = undefined;
      });
      this.connecting = client
        .connect()
        .then(() => client.query(`LISTEN ${PROJECTION_CHANGES_CHANNEL}`))
        .then(() => {
          this.client = client;
        })
        .catch(() => undefined) // polling still answers
        .finally(() => {
          this.connecting = undefined;
        });
    }
    return this.connecting;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Waits until `projections` reached `position` or `timeoutMs` passed; answers whether they did. */
  async waitFor(position: Position, projections: readonly string[], timeoutMs: number): Promise<boolean> {
    if (await this.engine.reached(position, projections)) return true;
    await this.ensureListening();
    const deadline = Date.now() + Math.min(timeoutMs, MAX_WAIT_MS);
    while (Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(100, Math.max(0, deadline - Date.now())));
        this.waiters.add(done);
      });
      if (await this.engine.reached(position, projections)) return true;
    }
    return false;
  }

  async close(): Promise<void> {
    await this.connecting;
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}

/** No event store gives out a position part past 64 bits (KurrentDB's are unsigned 64-bit, ours smaller). */
const MAX_POSITION_PART = 2n ** 64n - 1n;

/**
 * `?waitFor=<position>` or `X-Wait-For-Position`; bad text is a 400 naming the field. So is
 * a position past 64 bits: no command ever answered it, and it would only wait out the 5 s.
 */
export function requestedPosition(query: string | undefined, header: string | undefined): Position | undefined {
  const text = query ?? header;
  if (!text) return undefined;
  const refused = () =>
    problems.badRequest([
      {
        path: query ? 'query.waitFor' : 'headers.x-wait-for-position',
        message: 'must be a position from a command answer',
      },
    ]);
  let position: Position;
  try {
    position = parsePosition(text);
  } catch {
    throw refused();
  }
  if (position.commit > MAX_POSITION_PART || position.prepare > MAX_POSITION_PART) throw refused();
  return position;
}
