import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, startTestDesk, type TestDesk } from '../support/testDesk.js';

/**
 * The web app's error intake as browsers call it: signed in (session cookies, and no CSRF token:
 * the intake acts for nobody) or not, with its size and rate limits kept for everyone.
 */
describe('the client-error intake', () => {
  let desk: TestDesk;
  let cookie: string;
  let csrf: string;

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${desk.base}/api/client-logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    desk = await startTestDesk();
    const res = await fetch(`${desk.base}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'agent@demo.test', password: DEMO_PASSWORD }),
    });
    expect(res.status).toBe(200);
    cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ');
    csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  });

  afterAll(async () => {
    await desk?.stop();
  });

  it('when a signed-in browser reports an error without a CSRF token, then it is recorded', async () => {
    const signedIn = await post({ message: 'TypeError: signed in, no token', url: '/admin/support' }, { cookie });
    expect(signedIn.status).toBe(202);
    // a foreign page cannot use the session through it either: the session is not read at all
    const foreign = await post(
      { message: 'TypeError: from elsewhere' },
      { cookie, origin: 'https://evil.example', 'x-csrf-token': 'not-the-token' },
    );
    expect(foreign.status).toBe(202);
    const anonymous = await post({ message: 'TypeError: signed out' });
    expect(anonymous.status).toBe(202);
    const { rows } = await desk.db.pool.query<{ message: string }>('SELECT message FROM client_logs');
    expect(rows.map((r) => r.message)).toEqual(
      expect.arrayContaining(['TypeError: signed in, no token', 'TypeError: from elsewhere', 'TypeError: signed out']),
    );
  });

  it('when the session is used anywhere else, then the CSRF token is still required', async () => {
    const body = { assignmentId: 'asg-1001', queryType: 'PAYMENT', priority: 'LOW', subject: 's', body: 'b' };
    const raise = await fetch(`${desk.base}/api/support/threads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify(body),
    });
    expect(raise.status).toBe(403);
    // and with it the session works as before
    const me = await fetch(`${desk.base}/api/auth/me`, { headers: { cookie, 'x-csrf-token': csrf } });
    expect(me.status).toBe(200);
  });

  it('when a signed-in browser sends too much or too often, then the limits hold', async () => {
    expect((await post({ message: 'x', stack: 'y'.repeat(20_000) }, { cookie })).status).toBe(413);
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) statuses.push((await post({ message: `e${i}` }, { cookie })).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 202 && s !== 429)).toEqual([]);
  });
});
