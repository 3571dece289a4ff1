import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import {
  createEventCatalog,
  domainEventDefinitions,
  MalformedEventError,
  threadDecider,
  UnknownEventTypeError,
  type DomainEvent,
  type EventDefinitions,
} from '../../domain/index.js';
import { PostgresEventStore } from '../../eventstore/postgres/postgresEventStore.js';
import { comparePositions, parsePosition, type Position } from '../../eventstore/port.js';
import { seedThreads } from '../../ops/seed.js';
import { createLogger } from '../../platform/logger.js';
import { allProjections } from '../../projections/index.js';
import { ProjectionEngine } from '../../projections/projectionEngine.js';
import { EmailProcessManager } from '../../workers/email/emailProcessManager.js';
import { ProjectorRunner } from '../../workers/projectorRunner.js';
import { committedLogEnd } from '../support/logEnd.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';
import { recordFigures } from './support/figures.js';
import { until } from './support/http.js';
import { generationChecksum } from './support/invariants.js';

/*
 * Event evolution. tests/integration/projections/engine.int.test.ts has a malformed MessagePosted
 * halting the threads projection while systemConfig goes on; these are the other cases: an old
 * schema version upcast on read, a version this code does not know, another projection's event
 * malformed, an unknown event type, and the email process manager meeting such an event.
 */

const at = '2026-01-02T03:04:05.000Z';
const by = { kind: 'staff' as const, id: 'agent-1', name: 'Alex Agent' };

describe('event evolution: upcasting on read', () => {
  /** Version 0 of MessagePosted, as an older release wrote it: `text`, `internal`, `author`, `at`, no statuses. */
  const v0 = {
    threadId: randomUUID(),
    messageId: randomUUID(),
    text: 'Written by the old release',
    internal: true,
    author: by,
    at,
  };
  const upcastV0 = (data: Record<string, unknown>) => ({
    threadId: data.threadId,
    messageId: data.messageId,
    body: data.text,
    visibility: data.internal ? 'internal' : 'external',
    by: data.author,
    occurredAt: data.at,
    // an internal note never changed the status; old events did not record it
    statusBefore: 'OPEN',
    statusAfter: 'OPEN',
  });

  it('when a version-0 event is read, then its registered upcaster turns it into today’s shape, checked by today’s schema', () => {
    const definitions: EventDefinitions<DomainEvent> = {
      ...domainEventDefinitions,
      // today's MessagePosted (v2, files) with a hypothetical v0 before v1: the chain runs v0 → v1 → v2
      MessagePosted: {
        ...domainEventDefinitions.MessagePosted,
        upcasters: { ...domainEventDefinitions.MessagePosted.upcasters, 0: upcastV0 },
      },
    };
    const catalog = createEventCatalog(definitions);
    const event = catalog.parse('MessagePosted', v0, 0);
    expect(event).toEqual({
      type: 'MessagePosted',
      data: {
        threadId: v0.threadId,
        messageId: v0.messageId,
        body: v0.text,
        visibility: 'internal',
        by,
        occurredAt: at,
        statusBefore: 'OPEN',
        statusAfter: 'OPEN',
        attachments: [],
      },
    });
    // today's version reads as it is; the upcast event is what the domain folds
    expect(catalog.parse('MessagePosted', event.data, 2)).toEqual(event);
    expect(typeof threadDecider.evolve).toBe('function');
  });

  it('when an event is several versions old, then the upcasters run in order, and a gap or a future version is refused naming the event type', () => {
    type Greeting = { type: 'Greeting'; data: { text: string; language: string; polite: boolean } };
    const greeting = z.object({
      type: z.literal('Greeting'),
      data: z.object({ text: z.string(), language: z.string(), polite: z.boolean() }),
    }) as z.ZodType<Greeting>;
    const calls: number[] = [];
    const catalog = createEventCatalog<Greeting>({
      Greeting: {
        version: 2,
        schema: greeting,
        upcasters: {
          0: (d) => (calls.push(0), { text: d.words, language: 'en' }),
          1: (d) => (calls.push(1), { ...d, polite: true }),
        },
      },
    });
    expect(catalog.parse('Greeting', { words: 'hi' }, 0)).toEqual({
      type: 'Greeting',
      data: { text: 'hi', language: 'en', polite: true },
    });
    expect(calls).toEqual([0, 1]);

    const gappy = createEventCatalog<Greeting>({
      Greeting: { version: 2, schema: greeting, upcasters: { 1: (d) => d } },
    });
    expect(() => gappy.parse('Greeting', { words: 'hi' }, 0)).toThrow(MalformedEventError);
    expect(() => gappy.parse('Greeting', { words: 'hi' }, 0)).toThrow(
      /malformed Greeting: no upcaster from schema version 0 to 1/,
    );
    expect(() => catalog.parse('Greeting', { text: 'hi' }, 3)).toThrow(/schema version 3 is newer than this code's 2/);
    expect(() => catalog.parse('Farewell', {}, 1)).toThrow(UnknownEventTypeError);
  });
});

/** A log of its own for one test: 50 seeded threads, every projection caught up under a running projector. */
interface World {
  db: TestDatabase;
  store: PostgresEventStore;
  engine: ProjectionEngine;
  /** The running projector (a test may replace it; the one here at the end is stopped). */
  runner: ProjectorRunner;
  /** Appends raw, as an older or newer release (or a hand edit) would have: no validation on the way in. */
  appendRaw(
    stream: string,
    type: string,
    data: unknown,
    metadata?: Record<string, unknown>,
  ): Promise<{ id: string; position: Position }>;
  reachedHead(name: string): () => Promise<boolean>;
}

async function arrange(): Promise<World> {
  const db = await createTestDatabase();
  const store = new PostgresEventStore(db.pool, { connectionString: db.url, pollIntervalMs: 100 });
  const engine = new ProjectionEngine({
    pool: db.pool,
    eventStore: store,
    projections: allProjections,
    batchSize: 100,
  });
  const world: World = {
    db,
    store,
    engine,
    runner: new ProjectorRunner({ engine, logger: createLogger('silent'), idleMs: 100 }),
    async appendRaw(stream, type, data, metadata = {}) {
      const id = randomUUID();
      await db.pool.query(
        `SELECT * FROM es_append($1, 'any', NULL, ARRAY[$2::uuid], ARRAY[$3], ARRAY[$4::jsonb], ARRAY[$5::jsonb])`,
        [stream, id, type, JSON.stringify(data), JSON.stringify(metadata)],
      );
      const { rows } = await db.pool.query<{ p: string }>(
        `SELECT transaction_id::text || '-' || global_position AS p FROM es_events WHERE event_id = $1`,
        [id],
      );
      return { id, position: parsePosition(rows[0]!.p) };
    },
    reachedHead: (name) => async () => {
      const live = await engine.liveGeneration(name);
      return !!live && comparePositions(parsePosition(live.position), await committedLogEnd(db.pool)) >= 0;
    },
  };
  onTestFinished(async () => {
    await world.runner.stop();
    await store.close();
    await db.drop();
  });
  await seedThreads(store, db.pool, {
    threads: 50,
    assignments: [{ assignmentId: 'asg-1001', reference: 'A-1001', partnerOrgId: 'acme' }],
    agents: [{ id: 'agent-1', name: 'Alex Agent' }],
  });
  await world.runner.start();
  for (const p of allProjections) await until(`${p.name} to catch up`, world.reachedHead(p.name), 30_000);
  return world;
}

/** A GuestLinkIssued no code can read (a scope without its thread, an address that is none, a date that is none). */
const malformedGuestLink = (tokenHash: string) => ({
  tokenHash,
  scope: { kind: 'thread' },
  recipientEmail: 'not an email',
  issuedAt: 'yesterday',
  by,
});

// each test arranges its own log and projector: none depends on what another appended, halted or restarted
describe('event evolution: what the runtime does with events it cannot read', () => {
  /** Cases in which a projection or the email process manager stopped at an unreadable event (a figure). */
  let halts = 0;

  afterAll(() => {
    recordFigures('eventEvolution', { upcastCases: 2, haltCases: halts, projectionsThatWentOn: 2 });
  });

  it('when an unknown event type lands in a thread stream, then every projection goes on and the read model equals a clean rebuild', async () => {
    const { db, engine, runner, appendRaw, reachedHead } = await arrange();
    const { rows } = await db.pool.query<{ stream_name: string }>(
      `SELECT stream_name FROM es_streams WHERE stream_name LIKE 'thread-%' LIMIT 1`,
    );
    await appendRaw(
      rows[0]!.stream_name,
      'ThreadArchivedInAFutureRelease',
      { reason: 'newer release' },
      { schemaVersion: 1 },
    );
    for (const p of allProjections) await until(`${p.name} past the unknown event`, reachedHead(p.name), 20_000);
    expect(runner.halted.size).toBe(0);
    const live = (await engine.liveGeneration('threads'))!;
    const before = await generationChecksum(db.pool, ['support_inbox', 'support_messages'], live.generation);
    await runner.stop();
    const rebuilt = await engine.rebuild('threads');
    expect(await generationChecksum(db.pool, ['support_inbox', 'support_messages'], rebuilt.generation)).toEqual(
      before,
    );
  });

  it('when another projection’s event is malformed (GuestLinkIssued), then that projection stops naming the event, its rows stay as they were, and threads goes on', async () => {
    const { db, engine, runner, appendRaw } = await arrange();
    const { rows: before } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM support_guest_links');
    const tokenHash = 'a'.repeat(64);
    const bad = await appendRaw(`guestLink-${tokenHash}`, 'GuestLinkIssued', malformedGuestLink(tokenHash), {
      schemaVersion: 1,
    });
    // a good guest link and a new thread after it
    const goodHash = 'b'.repeat(64);
    await appendRaw(
      `guestLink-${goodHash}`,
      'GuestLinkIssued',
      {
        tokenHash: goodHash,
        scope: { kind: 'thread', threadId: randomUUID() },
        recipientEmail: null,
        issuedAt: at,
        expiresAt: '2099-01-01T00:00:00.000Z',
        by,
      },
      { schemaVersion: 1 },
    );
    const threadId = randomUUID();
    await appendRaw(
      `thread-${threadId}`,
      'QueryRaised',
      {
        threadId,
        messageId: randomUUID(),
        assignmentId: 'asg-1001',
        assignmentReference: 'A-1001',
        partnerOrgId: 'acme',
        queryType: 'OTHER',
        priority: 'LOW',
        subject: 'After the bad event',
        body: 'still projected',
        by: { kind: 'partner', id: 'p-1', name: 'Pat' },
        occurredAt: at,
      },
      { schemaVersion: 1 },
    );
    await until('guestLinks to halt', async () => runner.halted.has('guestLinks'), 20_000);
    halts++;
    const message = runner.halted.get('guestLinks')!;
    expect(message).toContain(bad.id);
    expect(message).toContain('GuestLinkIssued');
    expect(message).toContain(`guestLink-${tokenHash}@0`);
    expect((await engine.liveGeneration('guestLinks'))!.last_error).toContain(bad.id);
    // nothing of the bad batch was applied: not the bad link, not the good one after it
    const { rows: after } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM support_guest_links');
    expect(after[0]!.n).toBe(before[0]!.n);
    expect(
      comparePositions(parsePosition((await engine.liveGeneration('guestLinks'))!.position), bad.position),
    ).toBeLessThan(0);
    // the threads projection went on past it
    await until('threads to project the thread raised after the bad event', async () => {
      const { rows } = await db.pool.query('SELECT 1 FROM support_inbox WHERE thread_id = $1', [threadId]);
      return rows.length === 1;
    });
    expect(runner.halted.has('threads')).toBe(false);
  });

  it('when an event claims a schema version newer than this code, then the projection reading it stops with that reason, naming the event', async () => {
    const { db, runner, appendRaw } = await arrange();
    const { rows } = await db.pool.query<{ stream_name: string }>(
      `SELECT stream_name FROM es_streams WHERE stream_name LIKE 'thread-%' ORDER BY stream_name LIMIT 1`,
    );
    const threadId = rows[0]!.stream_name.slice('thread-'.length);
    const future = await appendRaw(
      rows[0]!.stream_name,
      'PriorityChanged',
      { threadId, from: 'LOW', to: 'CRITICAL', by, occurredAt: at, reason: 'v2 adds a reason' },
      { schemaVersion: 2 },
    );
    await until('threads to halt', async () => runner.halted.has('threads'), 20_000);
    halts++;
    const message = runner.halted.get('threads')!;
    expect(message).toContain(future.id);
    expect(message).toContain('PriorityChanged');
    expect(message).toMatch(/schema version 2 is newer than this code's 1/);
    // the read model was not touched by it: the thread keeps its priority
    const { rows: inbox } = await db.pool.query<{ priority: string }>(
      'SELECT priority FROM support_inbox WHERE thread_id = $1',
      [threadId],
    );
    expect(inbox[0]!.priority).not.toBe('CRITICAL');
  });

  it('when the email process manager meets an event it cannot read, then it stops with an error naming it instead of skipping an email', async () => {
    const { db, store, appendRaw } = await arrange();
    const bad = await appendRaw(`guestLink-${'c'.repeat(64)}`, 'GuestLinkIssued', malformedGuestLink('c'.repeat(64)), {
      schemaVersion: 1,
    });
    const manager = new EmailProcessManager({
      pool: db.pool,
      eventStore: store,
      accounts: { emailOf: async () => 'pat@example.test' },
      from: 'Support <support@example.com>',
    });
    let error: unknown;
    try {
      await manager.catchUp();
    } catch (thrown) {
      error = thrown;
    }
    expect(error, 'the process manager refused to go past the unreadable event').toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/GuestLinkIssued/);
    halts++;
    // it did not move past the event (nor drop what came after it)
    const { rows } = await db.pool.query<{ position: string }>('SELECT position FROM email_checkpoints');
    if (rows[0]) expect(comparePositions(parsePosition(rows[0].position), bad.position)).toBeLessThan(0);
  });
});
