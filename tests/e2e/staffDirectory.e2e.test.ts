import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueThreadLink } from '../support/guestLinks.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { startTestDesk, type ApiClient, type TestDesk } from '../support/testDesk.js';

interface Page {
  items: { id: string; name: string }[];
  nextCursor: string | null;
}

/** GET /api/support/staff: whom the assign picker offers (admins and agents who may be assigned). */
describe('the staff directory over HTTP', () => {
  let desk: TestDesk;
  let agent: ApiClient & { accountId: string };
  let admin: ApiClient & { accountId: string };
  const extra: Record<string, string> = {};

  beforeAll(async () => {
    desk = await startTestDesk();
    const create = async (email: string, name: string, role: 'admin' | 'agent' | 'auditor') =>
      (await desk.desk.accounts.create({ email, name, role, password: 'a-long-test-password-1' })).id;
    extra.zed = await create('zed@demo.test', 'Zed Zimmer', 'agent');
    extra.bea = await create('bea@demo.test', 'Bea 100%_Agent', 'agent');
    extra.gone = await create('gone@demo.test', 'Gone Agent', 'agent');
    await desk.desk.accounts.setDisabled(extra.gone, true);
    [agent, admin] = await Promise.all([desk.signIn('agent@demo.test'), desk.signIn('admin@demo.test')]);
  });
  afterAll(async () => desk?.stop());

  it('when an agent asks, then it lists every admin and agent who may be assigned, by name, id and name only', async () => {
    const res = await agent.request<Page>('GET', '/api/support/staff');
    expect(res.status).toBe(200);
    expect(res.body.items.map((s) => s.name)).toEqual(['Ada Admin', 'Alex Agent', 'Bea 100%_Agent', 'Zed Zimmer']);
    expect(res.body.nextCursor).toBeNull();
    for (const item of res.body.items) expect(Object.keys(item).sort()).toEqual(['id', 'name']);
    // the ids are the ones the assign command takes
    expect(res.body.items.find((s) => s.name === 'Ada Admin')?.id).toBe(admin.accountId);
    expect(res.body.items.find((s) => s.name === 'Alex Agent')?.id).toBe(agent.accountId);
    // auditors, ops, partners and disabled accounts are not offered
    expect(JSON.stringify(res.body)).not.toMatch(/Audrey|Oscar|Partner|Gone/);
  });

  it('when an agent picks a teammate from it, then the thread is assigned to them', async () => {
    const partner = await desk.signIn('partner@acme.test');
    const raised = await raiseQuery(partner, queryAbout('For a teammate', 'hello'));
    const teammate = (await agent.request<Page>('GET', '/api/support/staff?q=zed')).body.items[0]!;
    const res = await agent.request('POST', `/api/support/threads/${raised.threadId}/assign`, {
      assigneeId: teammate.id,
      assigneeName: teammate.name,
    });
    expect(res.status).toBe(200);
  });

  it('when searched with q, then only names containing it are listed (any case, % and _ literal)', async () => {
    const names = async (q: string) =>
      (await agent.request<Page>('GET', `/api/support/staff?q=${encodeURIComponent(q)}`)).body.items.map((s) => s.name);
    expect(await names('AGENT')).toEqual(['Alex Agent', 'Bea 100%_Agent']);
    expect(await names('zim')).toEqual(['Zed Zimmer']);
    expect(await names('%')).toEqual(['Bea 100%_Agent']);
    expect(await names('_')).toEqual(['Bea 100%_Agent']);
    expect(await names('gone')).toEqual([]);
  });

  it('when paged with limit, then the pages together list everyone once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res: { status: number; body: Page } = await agent.request<Page>(
        'GET',
        `/api/support/staff?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...res.body.items.map((s) => s.name));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(['Ada Admin', 'Alex Agent', 'Bea 100%_Agent', 'Zed Zimmer']);
    expect((await agent.request('GET', '/api/support/staff?cursor=not-a-cursor')).status).toBe(400);
    expect((await agent.request('GET', '/api/support/staff?limit=1000')).status).toBe(400);
  });

  it('when someone other than staff asks, then it is refused', async () => {
    // every staff role reads it (auditors and ops see the assignee names anyway)
    for (const email of ['admin@demo.test', 'auditor@demo.test', 'ops@demo.test']) {
      expect((await (await desk.signIn(email)).request('GET', '/api/support/staff')).status).toBe(200);
    }
    expect((await desk.anonymous.request('GET', '/api/support/staff')).status).toBe(401);
    const partner = await desk.signIn('partner@acme.test');
    expect((await partner.request('GET', '/api/support/staff')).status).toBe(403);
    const raised = await raiseQuery(partner, queryAbout('A guest asks', 'hello'));
    const link = await issueThreadLink(agent, raised.threadId);
    expect((await desk.guest(link.token).request('GET', '/api/support/staff')).status).toBe(403);
  });
});
