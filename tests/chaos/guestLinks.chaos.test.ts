import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { AssignmentDirectory } from '../../commands/assignmentDirectory/assignmentDirectory.js';
import { handleCommand } from '../../commands/commandHandler.js';
import { createGuestTokenResolver } from '../../commands/guestLinks/guestTokenResolver.js';
import { newGuestToken } from '../../commands/guestLinks/guestToken.js';
import { guestLinkDecider, guestLinkStreamName } from '../../domain/index.js';
import type { EventStore } from '../../eventstore/port.js';
import { AccountStore } from '../../platform/identity/accounts.js';
import { FakeResendServer } from '../support/fakeResend/fakeResendServer.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';
import { DeskProcess, type DeskRole } from './support/deskProcess.js';
import { recordFigures } from './support/figures.js';
import { call, guestCaller, send, sessionCaller, type Caller, type RawAnswer } from './support/http.js';
import { engineFor, waitForEmailsDrained, waitForProjections } from './support/invariants.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** What a refusal looks like to its caller: the status, the media type and the body, byte for byte. */
const answerOf = (a: RawAnswer) => ({ status: a.status, type: a.headers['content-type'], body: a.text });

describe('guest links: refusals, throttling, and the raw token nowhere', () => {
  let db: TestDatabase;
  let fake: FakeResendServer;
  let eventStore: EventStore;
  const processes: Partial<Record<DeskRole, DeskProcess>> = {};
  let agent: Caller;
  let threadId: string;
  let otherThreadId: string;
  /** Every raw token this test sent to the API: none may be written anywhere. */
  const tokensSent = new Set<string>();
  let valid: { token: string; linkId: string };
  let otherThreadToken: string;
  let revokedToken: string;
  let expiredToken: string;

  const api = () => processes.api!;

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 6 });
    await new AccountStore(db.pool).ensureDemoAccounts();
    await new AssignmentDirectory(db.pool).ensureDemoAssignments();
    fake = await FakeResendServer.start({ apiKey: 're_test' });
    // one guest link secret for the API and the email worker: the worker emails the links the API issues
    const env = {
      RESEND_BASE_URL: fake.url,
      RESEND_API_KEY: 're_test',
      LOG_LEVEL: 'trace',
      GUEST_LINK_SECRET: randomBytes(32).toString('base64url'),
    };
    for (const role of ['api', 'projector', 'email'] as const) {
      processes[role] = await DeskProcess.create({ role, databaseUrl: db.url, env });
    }
    await Promise.all(Object.values(processes).map((p) => p.start()));
    ({ eventStore } = engineFor(db.pool, db.url));

    agent = await sessionCaller(db.pool, 'agent@demo.test');
    const partner = await sessionCaller(db.pool, 'partner@acme.test');
    const raise = async (assignmentId: string) => {
      const r = await call(api().base, partner, 'POST', '/api/support/threads', {
        assignmentId,
        queryType: 'DOCUMENTS',
        subject: 'Guest links',
        body: 'Who may see this?',
      });
      expect(r.status).toBe(201);
      return String((r.json as { threadId: string }).threadId);
    };
    threadId = await raise('asg-1001');
    otherThreadId = await raise('asg-1002');
    const issue = async (thread: string) => {
      const r = await call(api().base, agent, 'POST', `/api/support/threads/${thread}/guest-links`, {
        recipientEmail: 'guest@example.test',
      });
      expect(r.status).toBe(201);
      const link = r.json as { token: string; linkId: string };
      tokensSent.add(link.token);
      return link;
    };
    valid = await issue(threadId);
    otherThreadToken = (await issue(otherThreadId)).token;
    const revoked = await issue(threadId);
    revokedToken = revoked.token;
    expect((await call(api().base, agent, 'DELETE', `/api/support/guest-links/${revoked.linkId}`)).status).toBe(200);
    // a link issued two hours ago for one minute: expired (issued as staff would have, back then)
    const expired = newGuestToken();
    expiredToken = expired.token;
    tokensSent.add(expiredToken);
    await handleCommand(
      eventStore,
      guestLinkDecider,
      guestLinkStreamName(expired.tokenHash),
      {
        type: 'IssueGuestLink',
        data: {
          tokenHash: expired.tokenHash,
          scope: { kind: 'thread', threadId },
          recipientEmail: null,
          lifetimeSeconds: 60,
        },
        metadata: {
          now: new Date(Date.now() - 2 * 3600_000),
          author: { kind: 'staff', id: agent.accountId!, name: 'Agent' },
        },
      },
      { metadata: { actor: { type: 'user', id: agent.accountId! } } },
    );
  });

  afterAll(async () => {
    await Promise.all(Object.values(processes).map((p) => p.dispose()));
    await eventStore?.close();
    await fake?.stop();
    await db?.drop();
  });

  it('when a guest link is expired, revoked, truncated, unknown or malformed, then every route answers the same refusal; another thread’s link answers as a missing thread', async () => {
    const guestAs = (token: string) => {
      tokensSent.add(token);
      return guestCaller(token);
    };
    const bad: Record<string, string> = {
      expired: expiredToken,
      revoked: revokedToken,
      truncated: valid.token.slice(0, -1),
      'one character changed': `${valid.token.slice(0, -1)}${valid.token.endsWith('A') ? 'B' : 'A'}`,
      unknown: randomBytes(32).toString('base64url'),
      'too long': `${valid.token}x`,
      malformed: 'not a token at all',
    };
    const probes = [
      ['GET', `/api/support/threads/${threadId}`, undefined],
      ['POST', `/api/support/threads/${threadId}/messages`, { body: 'let me in' }],
      ['GET', '/api/support/my/threads', undefined],
      ['GET', '/api/auth/me', undefined],
    ] as const;
    const before = await countEvents(db);
    let compared = 0;
    for (const [method, path, body] of probes) {
      const answers = new Map<string, ReturnType<typeof answerOf>>();
      for (const [kind, token] of Object.entries(bad)) {
        answers.set(kind, answerOf(await call(api().base, guestAs(token), method, path, body)));
      }
      const first = answers.get('expired')!;
      expect(first.status, `${method} ${path}`).toBe(401);
      for (const [kind, answer] of answers) {
        expect(answer, `${method} ${path} with a ${kind} link`).toEqual(first);
        compared++;
      }
    }
    // a working link for another thread: that thread does not exist, as far as this guest can tell
    const other = guestCaller(otherThreadToken);
    const missing = `/api/support/threads/00000000-0000-4000-8000-000000000000`;
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['POST', '/messages', { body: 'hello' }],
    ] as const) {
      const theirs = answerOf(await call(api().base, other, method, `/api/support/threads/${threadId}${suffix}`, body));
      const none = answerOf(await call(api().base, other, method, `${missing}${suffix}`, body));
      expect(theirs.status).toBe(404);
      expect(theirs).toEqual(none);
      compared++;
    }
    expect(await countEvents(db)).toBe(before);
    // and the valid link works
    expect((await call(api().base, guestCaller(valid.token), 'GET', `/api/support/threads/${threadId}`)).status).toBe(
      200,
    );
    recordFigures('guestLinks', { refusalKinds: Object.keys(bad).length + 1, refusalsCompared: compared });
  });

  it('when a token is checked, then it is looked up by its SHA-256 (no comparison of the raw token), and a near miss takes the path a far miss takes', async () => {
    const streamsRead: string[] = [];
    const spy: EventStore = Object.create(eventStore) as EventStore;
    spy.readStream = (name, options) => {
      streamsRead.push(name);
      return eventStore.readStream(name, options);
    };
    const resolve = createGuestTokenResolver(spy, () => new Date());
    const nearMiss = `${valid.token.slice(0, -1)}${valid.token.endsWith('A') ? 'B' : 'A'}`;
    const farMiss = randomBytes(32).toString('base64url');
    expect(await resolve(valid.token)).toMatchObject({ kind: 'guest', linkId: valid.linkId });
    expect(await resolve(nearMiss)).toBe('refused');
    expect(await resolve(farMiss)).toBe('refused');
    // the only thing looked up is the stream named by the hash, one read per token whatever it is:
    // the raw token is never compared, so how close a guess is cannot change the work (nor the time)
    expect(streamsRead).toEqual([valid.token, nearMiss, farMiss].map((t) => guestLinkStreamName(sha256(t))));
    expect(valid.linkId).toBe(sha256(valid.token));
  });

  it('when guest tokens are guessed in a burst, then the guessing is throttled with 429 and Retry-After, valid tokens included', async () => {
    // the burst starts from no guest-token count (other tests' refusals count too) and leaves none
    // behind, so that no other test of this file meets a throttled desk, whatever the order
    const clearGuestCounts = () => db.pool.query("DELETE FROM rate_limit_counters WHERE key LIKE 'guest-token:%'");
    await clearGuestCounts();
    onTestFinished(async () => void (await clearGuestCounts()));
    const statuses: number[] = [];
    let first429 = -1;
    let retryAfter: string | undefined;
    for (let i = 0; i < 300; i++) {
      const guess = randomBytes(32).toString('base64url');
      tokensSent.add(guess);
      const answer = await send(api().base, 'GET', '/api/auth/me', { headers: { 'x-guest-token': guess } });
      statuses.push(answer.status);
      if (answer.status === 429 && first429 < 0) {
        first429 = i;
        retryAfter = answer.headers['retry-after'] as string | undefined;
        break;
      }
    }
    expect(first429, 'a 429 came within the burst').toBeGreaterThanOrEqual(0);
    // 120 per minute per address, in fixed windows: at most two windows' worth if one ends mid-burst
    expect(first429).toBeLessThanOrEqual(242);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(statuses.slice(0, first429).every((s) => s === 401)).toBe(true);
    // while throttled, even the right token is refused: guessing cannot be mixed with real use to slip through
    const real = await call(api().base, guestCaller(valid.token), 'GET', `/api/support/threads/${threadId}`);
    expect(real.status).toBe(429);
    recordFigures('guestLinks', { bruteForceAttemptsBefore429: first429 });
  });

  it('when everything has been processed, then no raw token is in any table, event, log line or metric, nor in an email but its own recipient’s', async () => {
    // guesses of this test's own (a near miss and a far one), so that it makes its point run alone
    // too; it also scans for every token the other tests sent, whichever ran before it
    for (const guess of [
      `${valid.token.slice(0, -1)}${valid.token.endsWith('A') ? 'B' : 'A'}`,
      randomBytes(32).toString('base64url'),
    ]) {
      tokensSent.add(guess);
      expect([401, 429]).toContain(
        (await send(api().base, 'GET', '/api/auth/me', { headers: { 'x-guest-token': guess } })).status,
      );
    }
    // a staff reply: the guest's link recipient is emailed (with their working link, and no other)
    expect(
      (
        await call(api().base, agent, 'POST', `/api/support/threads/${threadId}/messages`, {
          body: 'Reply to the guest',
        })
      ).status,
    ).toBe(201);
    // the live push takes the token as a websocket subprotocol (docs/live.md): use it there too, good and bad
    for (const token of [valid.token, expiredToken]) {
      await new Promise<void>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${api().port}/api/support/live`, [
          'support-live.v1',
          `guest-token.${token}`,
        ]);
        const done = () => {
          ws.terminate();
          resolve();
        };
        ws.once('message', done);
        ws.once('unexpected-response', done);
        ws.once('error', done);
        ws.once('close', done);
      });
    }
    const { engine } = engineFor(db.pool, db.url);
    await waitForProjections(engine, 30_000);
    await waitForEmailsDrained(db.pool, eventStore, 30_000);
    const metrics = (await send(api().base, 'GET', '/metrics')).text;

    const { rows: columns } = await db.pool.query<{ table_name: string; column_name: string }>(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
          AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')`,
    );
    const needles = [...tokensSent].filter((t) => t.length >= 20).map((t) => t.slice(0, 20));
    const found: string[] = [];
    for (const { table_name: table, column_name: column } of columns) {
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${table}" x
          WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS t(needle) WHERE strpos(x."${column}"::text, t.needle) > 0)`,
        [needles],
      );
      if (rows[0]!.n > 0) found.push(`table ${table}.${column}`);
    }
    for (const p of Object.values(processes)) {
      if (needles.some((n) => p.logs.includes(n))) found.push(`${p.role} process output`);
    }
    if (needles.some((n) => metrics.includes(n))) found.push('/metrics');
    // the links issued to guest@example.test reach that address while they work (docs/decisions/0005;
    // the revoked one may have been emailed in the moment before its revocation); a guessed token
    // or the expired link (no recipient) reaches no email at all
    const emailedOwnLinks = [valid.token, otherThreadToken, revokedToken].map((t) => t.slice(0, 20));
    for (const email of fake.delivered) {
      const text = JSON.stringify(email);
      const allowed = email.to.includes('guest@example.test') ? emailedOwnLinks : [];
      if (needles.some((n) => !allowed.includes(n) && text.includes(n))) found.push(`email ${email.id}`);
    }
    expect(
      fake.delivered.some((e) => e.to.includes('guest@example.test') && JSON.stringify(e).includes(valid.token)),
    ).toBe(true);
    // the scan does find what is there: the token's hash is in the log
    const { rows: hashed } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM es_events WHERE stream_name = $1`,
      [guestLinkStreamName(valid.linkId)],
    );
    expect(hashed[0]!.n).toBeGreaterThan(0);
    expect(fake.delivered.some((e) => e.to.includes('guest@example.test'))).toBe(true);
    const logBytes = Object.values(processes).reduce((a, p) => a + p.logs.length, 0);
    recordFigures('guestLinks', {
      tokensScannedFor: needles.length,
      columnsScanned: columns.length,
      logBytesScanned: logBytes,
      emailsScanned: fake.delivered.length,
      rawTokensFound: found.length,
    });
    expect(found).toEqual([]);
  });
});

/** Events a request could have caused (the email worker's delivery records come and go on their own). */
async function countEvents(db: TestDatabase): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM es_events WHERE stream_name NOT LIKE 'threadEmail-%' AND stream_name NOT LIKE 'guestLinkEmail-%'",
  );
  return rows[0]!.n;
}
