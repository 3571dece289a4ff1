import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueThreadLink } from '../support/guestLinks.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { startTestDesk, type ApiClient, type TestDesk } from '../support/testDesk.js';

const JWT_SECRET = 'a-host-platform-secret-of-32-chars!!';

describe('guest links, system config and the host directory over HTTP', () => {
  let desk: TestDesk;
  let admin: ApiClient;
  let agent: ApiClient;
  let partner: ApiClient;
  let auditor: ApiClient;

  const query = queryAbout('Missing delivery note', 'The delivery note for pallet 7 is missing.', {
    queryType: 'DOCUMENTS',
    priority: 'MEDIUM',
  });

  const raise = async (): Promise<string> => (await raiseQuery(partner, query)).threadId;

  const issue = (threadId: string, body: Record<string, unknown> = {}) => issueThreadLink(agent, threadId, body);

  beforeAll(async () => {
    desk = await startTestDesk({ JWT_SECRET });
    [admin, agent, partner, auditor] = await Promise.all([
      desk.signIn('admin@demo.test'),
      desk.signIn('agent@demo.test'),
      desk.signIn('partner@acme.test'),
      desk.signIn('auditor@demo.test'),
    ]);
  });
  afterAll(async () => desk?.stop());

  describe('guest links', () => {
    it('when issued, then the raw token is shown once, and only its SHA-256 is in the log', async () => {
      const threadId = await raise();
      const link = await issue(threadId, { recipientEmail: 'driver@carrier.test' });
      expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(link.linkId).toBe(createHash('sha256').update(link.token).digest('hex'));
      expect(link.url).toMatch(new RegExp(`/t/${link.token}$`));
      // seven days by default, from the moment of issue as the log records it
      const { rows: issued } = await desk.db.pool.query<{ issuedAt: string; expiresAt: string }>(
        `SELECT data->>'issuedAt' AS "issuedAt", data->>'expiresAt' AS "expiresAt" FROM es_events
          WHERE stream_name = $1 AND event_type = 'GuestLinkIssued'`,
        [`guestLink-${link.linkId}`],
      );
      expect(issued).toHaveLength(1);
      expect(Date.parse(issued[0]!.expiresAt) - Date.parse(issued[0]!.issuedAt)).toBe(7 * 86_400_000);
      expect(Date.parse(link.expiresAt)).toBe(Date.parse(issued[0]!.expiresAt));
      const { rows } = await desk.db.pool.query(
        "SELECT count(*)::int AS n FROM es_events WHERE data::text LIKE '%' || $1 || '%' OR metadata::text LIKE '%' || $1 || '%'",
        [link.token],
      );
      expect(rows[0].n).toBe(0);
    });

    it('when a guest posts with a thread link, then it lands on that thread only', async () => {
      const threadId = await raise();
      const other = await raise();
      const guest = desk.guest((await issue(threadId)).token);
      const ok = await guest.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'Photo attached' });
      expect(ok.status).toBe(201);
      const [, posted] = await desk.eventStore.readStream(`thread-${threadId}`);
      expect(posted).toMatchObject({ type: 'MessagePosted', data: { by: { kind: 'guest' }, visibility: 'external' } });
      expect((await guest.request('POST', `/api/support/threads/${other}/messages`, { body: 'x' })).status).toBe(404);
      expect((await guest.request('POST', '/api/support/threads', query)).status).toBe(404);
      expect(
        (
          await guest.request('POST', `/api/support/threads/${threadId}/messages`, {
            body: 'x',
            visibility: 'internal',
          })
        ).status,
      ).toBe(403);
    });

    it('when revoked, then it stops working at once, with the same answer as an unknown link', async () => {
      const threadId = await raise();
      const link = await issue(threadId);
      const guest = desk.guest(link.token);
      expect((await guest.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'one' })).status).toBe(
        201,
      );
      const revoke = await agent.request('DELETE', `/api/support/guest-links/${link.linkId}`);
      expect(revoke.status).toBe(200);
      const refused = await guest.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'two' });
      expect(refused.status).toBe(401);
      const unknown = await desk
        .guest('A'.repeat(43))
        .request('POST', `/api/support/threads/${threadId}/messages`, { body: 'three' });
      const truncated = await desk
        .guest(link.token.slice(0, 20))
        .request('POST', `/api/support/threads/${threadId}/messages`, { body: 'four' });
      expect(unknown.status).toBe(401);
      expect(truncated.status).toBe(401);
      expect(unknown.body).toEqual(refused.body);
      expect(truncated.body).toEqual(refused.body);
    });

    it('when the link has expired, then it is refused like any other', async () => {
      const threadId = await raise();
      const link = await issue(threadId, { lifetimeSeconds: 3600 });
      const guest = desk.guest(link.token);
      expect((await guest.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'early' })).status).toBe(
        201,
      );
      desk.clock.shift(3601_000);
      try {
        expect(
          (await guest.request('POST', `/api/support/threads/${threadId}/messages`, { body: 'late' })).status,
        ).toBe(401);
      } finally {
        desk.clock.shift(-3601_000);
      }
    });

    it('when an assignment link is used, then the guest can raise a query on that assignment only', async () => {
      const res = await agent.request<{ token: string }>('POST', '/api/support/assignments/asg-1002/guest-links', {});
      expect(res.status).toBe(201);
      const guest = desk.guest(res.body.token);
      const raised = await guest.request('POST', '/api/support/threads', { ...query, assignmentId: 'asg-1002' });
      expect(raised.status).toBe(201);
      expect((await guest.request('POST', '/api/support/threads', query)).status).toBe(404);
    });

    it('when partners or auditors try to issue or revoke links, or input is bad, then refused', async () => {
      const threadId = await raise();
      expect((await partner.request('POST', `/api/support/threads/${threadId}/guest-links`, {})).status).toBe(403);
      expect((await auditor.request('DELETE', `/api/support/guest-links/${'a'.repeat(64)}`)).status).toBe(403);
      const bad = await agent.request<{ errors: { path: string }[] }>(
        'POST',
        `/api/support/threads/${threadId}/guest-links`,
        {
          recipientEmail: 'not-an-email',
          lifetimeSeconds: 5,
        },
      );
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e) => e.path)).toEqual(
        expect.arrayContaining(['body.recipientEmail', 'body.lifetimeSeconds']),
      );
      expect((await agent.request('DELETE', `/api/support/guest-links/${'b'.repeat(64)}`)).status).toBe(404);
    });
  });

  describe('system config', () => {
    const valid = {
      whatsappNumber: '31612345678',
      supportEmail: 'help@desk.test',
      portalBaseUrl: 'https://portal.desk.test',
      whatsappBubbleEnabled: true,
    };

    it('when an admin saves a valid config, then it persists and the ETag moves', async () => {
      const res = await admin.request('PUT', '/api/support/config', valid);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject(valid);
      const read = await admin.request('GET', '/api/support/config');
      expect(read.body).toMatchObject(valid);
      expect(read.headers.get('etag')).toBe(res.headers.get('etag'));
    });

    it.each([
      ['1234567', 'too short'],
      ['1234567890123456', 'too long'],
      ['+31612345678', 'with a plus'],
      ['316 1234 5678', 'with spaces'],
    ])('when the WhatsApp number is %s (%s), then 400 names whatsappNumber', async (whatsappNumber) => {
      await (async () => {
        const before = await desk.countEvents();
        const res = await admin.request<{ errors: { path: string }[] }>('PUT', '/api/support/config', {
          ...valid,
          whatsappNumber,
        });
        expect(res.status).toBe(400);
        expect(res.body.errors.map((e) => e.path)).toContain('body.whatsappNumber');
        expect(await desk.countEvents()).toBe(before);
      })();
    });

    it('when the email or URL are wrong, then 400 names them', async () => {
      const res = await admin.request<{ errors: { path: string }[] }>('PUT', '/api/support/config', {
        ...valid,
        supportEmail: 'nope',
        portalBaseUrl: 'ftp://portal',
      });
      expect(res.body.errors.map((e) => e.path)).toEqual(
        expect.arrayContaining(['body.supportEmail', 'body.portalBaseUrl']),
      );
    });

    it('when an agent or partner tries to change it, then 403', async () => {
      expect((await agent.request('PUT', '/api/support/config', valid)).status).toBe(403);
      expect((await partner.request('GET', '/api/support/config')).status).toBe(403);
    });

    it('when If-Match is stale, then 412', async () => {
      const res = await admin.request(
        'PUT',
        '/api/support/config',
        { ...valid, supportEmail: 'x@desk.test' },
        { 'if-match': '"0"' },
      );
      expect([200, 412]).toContain(res.status);
      const stale = await admin.request(
        'PUT',
        '/api/support/config',
        { ...valid, supportEmail: 'y@desk.test' },
        { 'if-match': '"0"' },
      );
      expect(stale.status).toBe(412);
    });
  });

  describe('the host directory', () => {
    const hostJwt = () =>
      new SignJWT({ role: 'host' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('host-platform')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(JWT_SECRET));

    it('when the host upserts an assignment with its JWT, then partners of that organisation can raise on it', async () => {
      const host = desk.bearer(await hostJwt());
      const created = await host.request('PUT', '/api/host/assignments/asg-9001', {
        reference: 'A-9001',
        title: 'Night shift cover',
        partnerOrgId: 'acme',
      });
      expect(created.status).toBe(201);
      const updated = await host.request('PUT', '/api/host/assignments/asg-9001', {
        reference: 'A-9001b',
        title: 'Night shift cover',
        partnerOrgId: 'acme',
      });
      expect(updated.status).toBe(200);
      const raised = await partner.request<{ threadId: string }>('POST', '/api/support/threads', {
        ...query,
        assignmentId: 'asg-9001',
      });
      expect(raised.status).toBe(201);
      const [event] = await desk.eventStore.readStream(`thread-${raised.body.threadId}`);
      expect(event!.data['assignmentReference']).toBe('A-9001b');
      const listed = await partner.request<{ items: { assignmentId: string }[] }>('GET', '/api/support/assignments');
      expect(listed.body.items.map((a) => a.assignmentId)).toContain('asg-9001');
    });

    it('when a partner or a forged token upserts, or input is bad, then refused', async () => {
      const body = { reference: 'X', title: 'X', partnerOrgId: 'acme' };
      expect((await partner.request('PUT', '/api/host/assignments/asg-x', body)).status).toBe(403);
      const forged = await new SignJWT({ role: 'host' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('mallory')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('x'.repeat(40)));
      expect((await desk.bearer(forged).request('PUT', '/api/host/assignments/asg-x', body)).status).toBe(401);
      const host = desk.bearer(await hostJwt());
      const bad = await host.request<{ errors: { path: string }[] }>('PUT', '/api/host/assignments/bad%20id', {
        reference: '',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e) => e.path)).toEqual(
        expect.arrayContaining(['params.assignmentId', 'body.reference']),
      );
    });
  });
});
