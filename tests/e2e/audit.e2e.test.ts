import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  emailDelivered,
  emailDeliveryFailed,
  emailStreamName,
  parseDomainEvent,
  threadDecider,
  type ThreadEvent,
} from '../../domain/index.js';
import { chainEvents, eventHash } from '../../eventstore/hashChain.js';
import { runCli } from '../../ops/cli.js';
import { auditedThreadState } from '../../read-api/audit/auditedThreadState.js';
import { ChainSealer } from '../../workers/chainSealer.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { startTestDesk, TEST_SEAL_KEY, type ApiClient, type TestDesk } from '../support/testDesk.js';

interface History {
  events: {
    source: 'thread' | 'email';
    revision: number;
    threadRevision: number;
    type: string;
    actor: { type: string; id: string } | null;
    stream: string;
  }[];
  stateAsOf: { revision: number; state: Record<string, unknown> };
  verification: {
    ok: boolean;
    firstBrokenStream: string | null;
    firstBrokenRevision: number | null;
    reason: string | null;
    streams: { streamName: string; ok: boolean; checked: number; firstBrokenRevision: number | null }[];
  };
}

/** Auditors' history: replayed state, and a chain that catches any change to the log. */
describe('tamper-evident thread history', () => {
  let desk: TestDesk;
  let agent: ApiClient;
  let partner: ApiClient;
  let auditor: ApiClient;
  let sealer: ChainSealer;

  async function threadWithHistory(subject = 'Pallet count wrong'): Promise<string> {
    const { threadId: id } = await raiseQuery(
      partner,
      queryAbout(subject, '=HYPERLINK("http://evil.test") <script>alert(1)</script>', {
        queryType: 'DOCUMENTS',
        priority: 'MEDIUM',
      }),
    );
    await agent.request('POST', `/api/support/threads/${id}/messages`, { body: 'Checking the count.' });
    await agent.request('POST', `/api/support/threads/${id}/messages`, {
      body: 'Scanner was off',
      visibility: 'internal',
    });
    await partner.request('POST', `/api/support/threads/${id}/messages`, { body: 'Thanks' });
    await agent.request('POST', `/api/support/threads/${id}/resolve`);
    // the sealer reads the log as subscribers do, below every open transaction: a background
    // transaction of the desk may hide the last event for a moment, so seal until its head is sealed
    const last = (await desk.eventStore.readStream(`thread-${id}`)).at(-1)!.revision;
    for (let tries = 0; tries < 100; tries++) {
      await sealer.sealOnce();
      const { rows } = await desk.db.pool.query<{ revision: string | null }>(
        'SELECT max(revision) AS revision FROM chain_seals WHERE stream_name = $1',
        [`thread-${id}`],
      );
      if (Number(rows[0]?.revision) === last) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return id;
  }

  const history = async (id: string, query = '') =>
    (await auditor.request<History>('GET', `/api/audit/threads/${id}/history${query}`)).body;

  beforeAll(async () => {
    desk = await startTestDesk();
    [agent, partner, auditor] = await Promise.all([
      desk.signIn('agent@demo.test'),
      desk.signIn('partner@acme.test'),
      desk.signIn('auditor@demo.test'),
    ]);
    sealer = new ChainSealer(desk.db.pool, desk.eventStore, TEST_SEAL_KEY);
  });
  afterAll(async () => desk?.stop());

  it('when an auditor reads an untouched thread, then every event is there with actor and time, and it verifies', async () => {
    const id = await threadWithHistory();
    const h = await history(id);
    expect(h.events.map((e) => e.type)).toEqual([
      'QueryRaised',
      'MessagePosted',
      'MessagePosted',
      'MessagePosted',
      'ThreadResolved',
      // the resolution asks the partner how it went (docs/satisfaction.md)
      'SatisfactionSurveyOffered',
    ]);
    expect(h.events.every((e) => e.actor?.type === 'user')).toBe(true);
    expect(h.verification).toMatchObject({ ok: true, firstBrokenRevision: null });
    expect(h.stateAsOf).toMatchObject({ revision: 5, state: { status: 'RESOLVED' } });
  });

  it('when asked for the state as of a revision or a time, then it equals a replay of the events up to there', async () => {
    const id = await threadWithHistory();
    const events = await desk.eventStore.readStream(`thread-${id}`);
    for (const revision of [0, 1, 2, 3]) {
      let state = threadDecider.initialState;
      for (const e of events.slice(0, revision + 1))
        state = threadDecider.evolve(state, parseDomainEvent(e.type, e.data, 1) as ThreadEvent);
      const h = await history(id, `?asOf=${revision}`);
      expect(h.stateAsOf.revision).toBe(revision);
      expect(h.stateAsOf.state).toEqual(JSON.parse(JSON.stringify(auditedThreadState(state))));
    }
    // auditors read flat assignee fields and who the thread waits for, as they always have
    expect((await history(id, '?asOf=0')).stateAsOf.state).toMatchObject({
      status: 'OPEN',
      awaiting: 'staff',
      assigneeId: null,
      assigneeName: null,
    });
    expect((await history(id, '?asOf=1')).stateAsOf.state).toMatchObject({ status: 'PENDING', awaiting: 'partner' });
    const at = String(events[1]!.data['occurredAt']);
    expect((await history(id, `?asOf=${encodeURIComponent(at)}`)).stateAsOf.revision).toBe(1);
    expect((await auditor.request('GET', `/api/audit/threads/${id}/history?asOf=soon`)).status).toBe(400);
  });

  /** Appends email outcomes to the thread's email stream, as the email worker does. */
  async function emailOutcomes(threadId: string): Promise<void> {
    const facts = {
      emailId: 'a'.repeat(64),
      threadId,
      template: 'query_raised_ack' as const,
      recipient: 'partner@acme.test',
      messageId: null,
      attempts: 1,
    };
    const at = new Date('2026-03-03T10:00:00Z');
    for (const event of [
      emailDelivered(facts, 'dev-1', at),
      emailDeliveryFailed(
        { ...facts, emailId: 'b'.repeat(64), template: 'staff_reply', attempts: 3 },
        { errorName: 'validation_error', reason: 'bad recipient', permanent: true },
        at,
      ),
    ]) {
      await desk.eventStore.append(
        emailStreamName(threadId),
        [
          {
            id: crypto.randomUUID(),
            type: event.type,
            data: event.data as never,
            metadata: { actor: { type: 'system', id: 'email' }, schemaVersion: 1 },
          },
        ],
        { expected: 'any' },
      );
    }
  }

  it('when a thread has email outcomes, then they come as their own stream, and each thread revision is one entry', async () => {
    const id = await threadWithHistory();
    await emailOutcomes(id);
    const h = await history(id);
    const thread = h.events.filter((e) => e.source === 'thread');
    const email = h.events.filter((e) => e.source === 'email');
    expect(thread.map((e) => [e.stream, e.revision, e.threadRevision])).toEqual(
      [0, 1, 2, 3, 4, 5].map((r) => [`thread-${id}`, r, r]),
    );
    // the outcomes were appended after the thread's last revision: they follow it, with revisions of their own stream
    expect(email.map((e) => [e.type, e.stream, e.revision, e.threadRevision])).toEqual([
      ['EmailDelivered', `threadEmail-${id}`, 0, 5],
      ['EmailDeliveryFailed', `threadEmail-${id}`, 1, 5],
    ]);
    // a thread revision names exactly one entry, whatever the email stream's revisions are
    for (const r of [0, 1, 4])
      expect(h.events.filter((e) => e.source === 'thread' && e.revision === r)).toHaveLength(1);
    expect(h.verification.streams.map((s) => [s.streamName, s.ok, s.checked])).toEqual([
      [`thread-${id}`, true, 6],
      [`threadEmail-${id}`, true, 2],
    ]);

    // a break in the email stream is reported against that stream, not the thread's
    await desk.db.pool.query(
      `UPDATE es_events SET data = jsonb_set(data, '{recipient}', '"someone@else.test"') WHERE stream_name = $1 AND stream_revision = 1`,
      [emailStreamName(id)],
    );
    const broken = (await history(id)).verification;
    expect(broken).toMatchObject({ ok: false, firstBrokenStream: `threadEmail-${id}`, firstBrokenRevision: 1 });
    expect(broken.streams.map((s) => [s.streamName, s.ok])).toEqual([
      [`thread-${id}`, true],
      [`threadEmail-${id}`, false],
    ]);
  });

  it('when someone other than an auditor or admin asks, then it is refused', async () => {
    const id = await threadWithHistory();
    expect((await partner.request('GET', `/api/audit/threads/${id}/history`)).status).toBe(403);
    expect((await agent.request('GET', `/api/audit/threads/${id}/history`)).status).toBe(403);
    expect((await desk.anonymous.request('GET', `/api/audit/threads/${id}/history`)).status).toBe(401);
  });

  const tampering: [string, (id: string) => string, number, RegExp][] = [
    [
      'data changed',
      (id) =>
        `UPDATE es_events SET data = jsonb_set(data, '{body}', '"Nothing happened"') WHERE stream_name = 'thread-${id}' AND stream_revision = 3`,
      3,
      /content does not match/,
    ],
    [
      'metadata changed',
      (id) =>
        `UPDATE es_events SET metadata = jsonb_set(metadata, '{actor,id}', '"someone-else"') WHERE stream_name = 'thread-${id}' AND stream_revision = 1`,
      1,
      /content does not match/,
    ],
    [
      'type changed',
      (id) =>
        `UPDATE es_events SET event_type = 'ThreadClosed' WHERE stream_name = 'thread-${id}' AND stream_revision = 4`,
      4,
      /content does not match/,
    ],
    [
      'an event deleted',
      (id) => `DELETE FROM es_events WHERE stream_name = 'thread-${id}' AND stream_revision = 2`,
      2,
      /missing/,
    ],
    [
      'two events swapped in the log order',
      (
        id,
      ) => `WITH a AS (SELECT global_position AS p FROM es_events WHERE stream_name = 'thread-${id}' AND stream_revision = 1),
                    b AS (SELECT global_position AS p FROM es_events WHERE stream_name = 'thread-${id}' AND stream_revision = 2)
               UPDATE es_events SET stream_revision = CASE stream_revision WHEN 1 THEN 2 ELSE 1 END
                WHERE stream_name = 'thread-${id}' AND stream_revision IN (1, 2)`,
      1,
      /out of order|does not match/,
    ],
  ];

  it.each(tampering)(
    'when %s in the database, then verify names the stream and revision',
    async (_what, sql, revision, reason) => {
      const id = await threadWithHistory();
      await desk.db.pool.query('ALTER TABLE es_events DROP CONSTRAINT IF EXISTS es_events_stream_revision_key');
      await desk.db.pool.query(sql(id));
      const h = await history(id);
      expect(h.verification.ok).toBe(false);
      expect(h.verification.firstBrokenRevision).toBe(revision);
      expect(h.verification.firstBrokenStream).toBe(`thread-${id}`);
      expect(h.verification.reason).toContain(`thread-${id}`);
      expect(h.verification.reason).toMatch(reason);
    },
  );

  it('when the whole chain is rewritten consistently, then the seals catch it; a forged seal is caught too', async () => {
    const id = await threadWithHistory();
    const stream = `thread-${id}`;
    const events = await desk.eventStore.readStream(stream);
    // an attacker with database access rewrites the body and recomputes every hash after it
    const rewritten = chainEvents(
      stream,
      events.map((e, i) => ({
        id: e.id,
        type: e.type,
        data: i === 1 ? { ...e.data, body: 'We never promised a refund.' } : e.data,
        metadata: e.metadata,
      })),
      0,
      null,
    );
    for (const [i, e] of rewritten.entries()) {
      await desk.db.pool.query('UPDATE es_events SET data = $1, metadata = $2 WHERE event_id = $3', [
        e.data,
        e.metadata,
        e.id,
      ]);
      expect(eventHash(stream, i, e, i ? (rewritten[i - 1]!.metadata!.chain as { hash: string }).hash : null)).toBe(
        (e.metadata!.chain as { hash: string }).hash,
      );
    }
    let h = await history(id);
    expect(h.verification.ok).toBe(false);
    expect(h.verification.reason).toMatch(/rewritten/);
    // and moving the seal to the new head without the key does not help
    const newHead = (rewritten[rewritten.length - 1]!.metadata!.chain as { hash: string }).hash;
    await desk.db.pool.query(
      'DELETE FROM chain_seals WHERE stream_name = $1 AND revision < (SELECT max(revision) FROM chain_seals WHERE stream_name = $1)',
      [stream],
    );
    await desk.db.pool.query('UPDATE chain_seals SET hash = $1 WHERE stream_name = $2', [newHead, stream]);
    h = await history(id);
    expect(h.verification.ok).toBe(false);
    expect(h.verification.reason, JSON.stringify(h.verification)).toMatch(/not signed/);
  });

  it('when exported as CSV, then formulas and markup stay inert text', async () => {
    const id = await threadWithHistory();
    const res = await fetch(`${desk.base}/api/audit/threads/${id}/export?format=csv`, {
      headers: { cookie: (await loginCookie('auditor@demo.test')).cookie },
    });
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment/);
    const csv = await res.text();
    expect(csv.split('\r\n')[0]).toBe(
      'stream,revision,position,type,occurredAt,recordedAt,actorType,actorId,hash,data',
    );
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    const json = await auditor.request('GET', `/api/audit/threads/${id}/export?format=json`);
    expect(json.headers.get('content-disposition')).toMatch(/\.json"/);
  });

  async function loginCookie(email: string) {
    const res = await fetch(`${desk.base}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'demo-password-1' }),
    });
    return {
      cookie: res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; '),
    };
  }

  it('when ops run history and verify from the CLI, then they answer, and exit 1 on a broken chain', async () => {
    const good = await threadWithHistory();
    const bad = await threadWithHistory();
    await desk.db.pool.query(
      `UPDATE es_events SET data = jsonb_set(data, '{body}', '"x"') WHERE stream_name = 'thread-${bad}' AND stream_revision = 1`,
    );
    vi.stubEnv('DATABASE_URL', desk.db.url);
    vi.stubEnv('AUDIT_SEAL_KEY', TEST_SEAL_KEY);
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    const err = vi.spyOn(console, 'error').mockImplementation((...a) => void out.push(a.join(' ')));
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      expect(await runCli(['history', good, '--verify'])).toBe(0);
      expect(out.join('\n')).toContain('QueryRaised');
      expect(await runCli(['history', good, '--as-of', '1', '--format', 'json'])).toBe(0);
      expect(await runCli(['history', good, '--format', 'csv'])).toBe(0);
      expect(await runCli(['verify', good])).toBe(0);
      expect(await runCli(['verify', bad])).toBe(1);
      out.length = 0;
      expect(await runCli(['verify', '--all'])).toBe(1);
      expect(out.join('\n')).toContain(`BROKEN thread-${bad} at revision 1`);
      expect(await runCli(['history', '--help'])).toBe(0);
    } finally {
      log.mockRestore();
      err.mockRestore();
      write.mockRestore();
      stdout.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
