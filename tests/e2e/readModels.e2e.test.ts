import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueThreadLink } from '../support/guestLinks.js';
import { queryAbout } from '../support/raiseQuery.js';
import { startTestDesk, type ApiClient, type TestDesk } from '../support/testDesk.js';

interface Summary {
  threadId: string;
  status: string;
  awaiting?: string | null;
  awaitingYou?: boolean;
  messageCount: number;
  lastMessagePreview: string | null;
  firstResponseAt?: string | null;
  resolvedAt?: string | null;
  closedAt?: string | null;
  assigneeId?: string | null;
  priority: string;
  firstResponseSeconds?: number | null;
}
interface Page {
  items: Summary[];
  nextCursor: string | null;
}
interface ThreadView {
  thread: Summary;
  messages: { body: string; visibility: string; author: { kind: string } }[];
  guestLinks?: { linkId: string; state: string }[];
}

/** The read side over HTTP: every read model says what its events say, for every status rule. */
describe('read models and the read API', () => {
  let desk: TestDesk;
  let agent: ApiClient & { accountId: string };
  let admin: ApiClient;
  let partner: ApiClient;
  let otherPartner: ApiClient;
  let auditor: ApiClient;

  const query = queryAbout('Forklift booking clash', 'Two crews booked the same forklift on Tuesday.', {
    queryType: 'SCHEDULING',
  });

  /** Sends a command, then reads with its position: the read must reflect the command. */
  async function command(client: ApiClient, method: string, path: string, body?: unknown) {
    const res = await client.request<{ threadId: string; position: string }>(method, path, body);
    expect(res.status).toBeLessThan(300);
    return res.body;
  }
  const view = async (client: ApiClient, threadId: string, position: string) => {
    const res = await client.request<ThreadView>('GET', `/api/support/threads/${threadId}?waitFor=${position}`);
    expect(res.headers.get('x-consistency')).toBe('fresh');
    return res;
  };

  beforeAll(async () => {
    desk = await startTestDesk();
    [agent, admin, partner, otherPartner, auditor] = await Promise.all([
      desk.signIn('agent@demo.test'),
      desk.signIn('admin@demo.test'),
      desk.signIn('partner@acme.test'),
      desk.signIn('partner@globex.test'),
      desk.signIn('auditor@demo.test'),
    ]);
  });
  afterAll(async () => desk?.stop());

  it('when a thread goes through every status rule, then the inbox row and thread view follow each step', async () => {
    const raised = await command(partner, 'POST', '/api/support/threads', query);
    const id = raised.threadId;
    let res = await view(agent, id, raised.position);
    expect(res.body.thread).toMatchObject({
      status: 'OPEN',
      awaiting: 'staff',
      messageCount: 1,
      firstResponseAt: null,
    });

    let step = await command(agent, 'POST', `/api/support/threads/${id}/messages`, {
      body: 'Moved crew B to Wednesday.',
    });
    res = await view(agent, id, step.position);
    expect(res.body.thread).toMatchObject({ status: 'PENDING', awaiting: 'partner', messageCount: 2 });
    expect(res.body.thread.firstResponseAt).not.toBeNull();
    expect(res.body.thread.firstResponseSeconds).toBeGreaterThanOrEqual(0);

    step = await command(agent, 'POST', `/api/support/threads/${id}/messages`, {
      body: 'Crew B lead is touchy',
      visibility: 'internal',
    });
    res = await view(agent, id, step.position);
    expect(res.body.thread).toMatchObject({
      status: 'PENDING',
      messageCount: 3,
      lastMessagePreview: 'Crew B lead is touchy',
    });

    step = await command(partner, 'POST', `/api/support/threads/${id}/messages`, { body: 'Wednesday works.' });
    res = await view(agent, id, step.position);
    expect(res.body.thread).toMatchObject({ status: 'OPEN', awaiting: 'staff', messageCount: 4 });

    step = await command(agent, 'POST', `/api/support/threads/${id}/resolve`);
    res = await view(agent, id, step.position);
    expect(res.body.thread).toMatchObject({ status: 'RESOLVED', awaiting: null });
    expect(res.body.thread.resolvedAt).not.toBeNull();

    step = await command(partner, 'POST', `/api/support/threads/${id}/messages`, { body: 'Actually, not quite.' });
    res = await view(agent, id, step.position);
    expect(res.body.thread).toMatchObject({ status: 'OPEN', resolvedAt: null });

    step = await command(agent, 'POST', `/api/support/threads/${id}/close`);
    res = await view(agent, id, step.position);
    expect(res.body.thread).toMatchObject({ status: 'CLOSED' });
    expect(res.body.thread.closedAt).not.toBeNull();

    step = await command(agent, 'POST', `/api/support/threads/${id}/reopen`);
    res = await view(agent, id, step.position);
    expect(res.body.thread).toMatchObject({ status: 'OPEN', closedAt: null });

    step = await command(agent, 'POST', `/api/support/threads/${id}/assign`, { assigneeId: agent.accountId });
    step = await command(agent, 'POST', `/api/support/threads/${id}/priority`, { priority: 'URGENT' });
    res = await view(agent, id, step.position);
    expect(res.body.thread).toMatchObject({ assigneeId: agent.accountId, priority: 'URGENT' });
    expect(res.body.messages.map((m) => m.body)).toEqual([
      query.body,
      'Moved crew B to Wednesday.',
      'Crew B lead is touchy',
      'Wednesday works.',
      'Actually, not quite.',
    ]);
    expect(res.body.messages[2]).toMatchObject({ visibility: 'internal', author: { kind: 'staff' } });
  });

  it('when a partner or guest reads, then internal notes appear nowhere: not in messages, previews or counts', async () => {
    const raised = await command(partner, 'POST', '/api/support/threads', query);
    const id = raised.threadId;
    await command(agent, 'POST', `/api/support/threads/${id}/messages`, { body: 'Public answer' });
    const note = await command(agent, 'POST', `/api/support/threads/${id}/messages`, {
      body: 'SECRET internal note',
      visibility: 'internal',
    });
    const link = await issueThreadLink(agent, id);
    for (const reader of [partner, desk.guest(link.token)]) {
      const res = await reader.request<ThreadView>('GET', `/api/support/threads/${id}?waitFor=${note.position}`);
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain('SECRET');
      expect(res.body.thread).toMatchObject({
        messageCount: 2,
        lastMessagePreview: 'Public answer',
        awaitingYou: true,
      });
      expect(res.body.guestLinks).toBeUndefined();
      const mine = await reader.request<Page>('GET', `/api/support/my/threads?waitFor=${note.position}`);
      expect(JSON.stringify(mine.body)).not.toContain('SECRET');
      expect(mine.body.items.map((t) => t.threadId)).toContain(id);
    }
    const search = await partner.request<Page>('GET', '/api/support/my/threads?q=SECRET');
    expect(search.body.items).toEqual([]);
  });

  it("when another organisation's partner reads a thread, then 404; staff readers see it", async () => {
    const raised = await command(partner, 'POST', '/api/support/threads', query);
    expect(
      (await otherPartner.request('GET', `/api/support/threads/${raised.threadId}?waitFor=${raised.position}`)).status,
    ).toBe(404);
    expect(
      (await auditor.request('GET', `/api/support/threads/${raised.threadId}?waitFor=${raised.position}`)).status,
    ).toBe(200);
    const theirs = await otherPartner.request<Page>('GET', `/api/support/my/threads?waitFor=${raised.position}`);
    expect(theirs.body.items.map((t) => t.threadId)).not.toContain(raised.threadId);
    expect((await partner.request('GET', '/api/support/inbox')).status).toBe(403);
    expect((await desk.anonymous.request('GET', '/api/support/inbox')).status).toBe(401);
  });

  it('when the inbox is filtered, searched and paged, then each page is right and pages never overlap', async () => {
    const subjectWord = `zebra${Date.now()}`;
    let last = '';
    for (let i = 0; i < 7; i++) {
      const r = await command(partner, 'POST', '/api/support/threads', {
        ...query,
        priority: i % 2 ? 'HIGH' : 'LOW',
        subject: i < 5 ? `${subjectWord} clash ${i}` : `Other ${i}`,
      });
      last = r.position;
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Page } = await agent.request<Page>(
        'GET',
        `/api/support/inbox?q=${subjectWord}&limit=2&waitFor=${last}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((t) => t.threadId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const high = await agent.request<Page>('GET', `/api/support/inbox?q=${subjectWord}&priority=HIGH`);
    expect(high.body.items.every((t) => t.priority === 'HIGH')).toBe(true);
    expect(high.body.items).toHaveLength(2);
    const bodySearch = await agent.request<Page>('GET', `/api/support/inbox?q=forklift&status=OPEN&limit=100`);
    expect(bodySearch.body.items.length).toBeGreaterThan(0);
    const counts = await agent.request<Record<string, number>>('GET', `/api/support/inbox/counts?q=${subjectWord}`);
    expect(counts.body).toMatchObject({ ALL: 5, OPEN: 5, PENDING: 0 });
    const bad = await agent.request<{ errors: { path: string }[] }>(
      'GET',
      '/api/support/inbox?status=LATER&cursor=zzz&limit=500',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['query.status', 'query.limit']));
    const badCursor = await agent.request('GET', '/api/support/inbox?cursor=bm9wZQ');
    expect(badCursor.status).toBe(400);
    // times JavaScript parses but Postgres does not: still the client's mistake, never a 500
    const id = '00000000-0000-4000-8000-000000000000';
    for (const at of ['1', 'May 5', '275760-09-13', '2026-13-45T00:00:00Z']) {
      const cursor = Buffer.from(`${at}|${id}`, 'utf8').toString('base64url');
      for (const path of ['/api/support/inbox', '/api/support/my/threads']) {
        const client = path === '/api/support/inbox' ? agent : partner;
        const answer = await client.request('GET', `${path}?cursor=${cursor}`);
        expect(answer.status, `${path} with a cursor at ${at}`).toBe(400);
      }
    }
  });

  it('when a read asks to wait for a position, then it answers fresh; a malformed position is a 400', async () => {
    const raised = await command(partner, 'POST', '/api/support/threads', query);
    const res = await agent.request<Page>('GET', '/api/support/inbox?limit=1', undefined, {
      'x-wait-for-position': raised.position,
    });
    expect(res.headers.get('x-consistency')).toBe('fresh');
    expect(res.body.items[0]!.threadId).toBe(raised.threadId);
    const bad = await agent.request('GET', '/api/support/inbox?waitFor=yesterday');
    expect(bad.status).toBe(400);
  });

  it('when guest links are issued and revoked, then the thread view lists them by state, never with the token', async () => {
    const raised = await command(partner, 'POST', '/api/support/threads', query);
    const link = await issueThreadLink(agent, raised.threadId, { recipientEmail: 'guest@carrier.test' });
    const revoked = await command(agent, 'DELETE', `/api/support/guest-links/${link.linkId}`);
    const res = await view(agent, raised.threadId, revoked.position);
    expect(res.body.guestLinks).toEqual([expect.objectContaining({ linkId: link.linkId, state: 'revoked' })]);
    expect(JSON.stringify(res.body)).not.toContain(link.token);
  });

  it('when the config is saved, then the public config (no sign-in) shows the bubble and number', async () => {
    const saved = await admin.request<{ position: string }>('PUT', '/api/support/config', {
      whatsappNumber: '4915112345678',
      supportEmail: 'help@desk.test',
      portalBaseUrl: 'https://portal.desk.test',
      whatsappBubbleEnabled: true,
    });
    await desk.desk.watcher.waitFor(
      (await import('../../eventstore/port.js')).parsePosition(saved.body.position),
      ['systemConfig'],
      5000,
    );
    const res = await desk.anonymous.request('GET', '/api/support/public/config');
    expect(res.body).toEqual({
      whatsappNumber: '4915112345678',
      whatsappBubbleEnabled: true,
      supportEmail: 'help@desk.test',
      // where links lead: public anyway (every email carries it), and staff pages compare it with their origin
      portalBaseUrl: 'https://portal.desk.test',
      // what composers say before a file is sent (the defaults; no scanner in the tests)
      attachments: {
        maxBytes: 25 * 1024 * 1024,
        maxFiles: 10,
        mediaTypes: expect.arrayContaining(['image/png', 'application/pdf']),
        scanned: false,
      },
    });
  });

  it('when ops look at health, projections and metrics, then they see positions, lag and counters', async () => {
    const ops = await desk.signIn('ops@demo.test');
    const health = await desk.anonymous.request<{
      status: string;
      projections: { ok: boolean; items: { name: string; lagEvents: number }[] };
    }>('GET', '/healthz');
    expect(health.body.projections.items.map((p) => p.name).sort()).toEqual([
      'emailDeliveries',
      'emailDeliveryReports',
      'emailSuppressions',
      'guestLinks',
      'reports',
      'serviceLevels',
      'systemConfig',
      'threads',
    ]);
    const list = await ops.request<{ items: { name: string; live: { position: string; eventsProcessed: number } }[] }>(
      'GET',
      '/api/ops/projections',
    );
    expect(list.status).toBe(200);
    expect(list.body.items.find((p) => p.name === 'threads')!.live.eventsProcessed).toBeGreaterThan(0);
    expect((await partner.request('GET', '/api/ops/projections')).status).toBe(403);
    const metrics = await fetch(`${desk.base}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      /support_desk_http_requests_total\{operation="raiseQuery",method="POST",status="201"\} \d+/,
    );
    expect(metrics).toMatch(/support_desk_projection_lag_events\{projection="threads"\} \d+/);
    expect(metrics).toMatch(/support_desk_commands_total\{operation="postMessage",outcome="ok"\}/);
  });

  it('when the web app reports errors, then they are kept; too many or too large are refused', async () => {
    const ok = await desk.anonymous.request('POST', '/api/client-logs', {
      message: 'TypeError: x is undefined',
      url: '/admin',
    });
    expect(ok.status).toBe(202);
    const bad = await desk.anonymous.request<{ errors: { path: string }[] }>('POST', '/api/client-logs', {
      level: 'panic',
    });
    expect(bad.status).toBe(400);
    const huge = await desk.anonymous.request('POST', '/api/client-logs', { message: 'x', stack: 'y'.repeat(20_000) });
    expect(huge.status).toBe(413);
    const { rows } = await desk.db.pool.query('SELECT message FROM client_logs');
    expect(rows.map((r) => r.message)).toContain('TypeError: x is undefined');
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++)
      statuses.push((await desk.anonymous.request('POST', '/api/client-logs', { message: `e${i}` })).status);
    expect(statuses).toContain(429);
  });
});
