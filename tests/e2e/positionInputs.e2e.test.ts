import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_PATH } from '../../read-api/live/index.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { LiveClient, tryUpgrade } from '../support/liveClient.js';
import { startTestDesk, type ApiClient, type TestDesk } from '../support/testDesk.js';

/** 2^63: one past the largest change log id (a Postgres bigint). */
const PAST_64_BITS = '9223372036854775808';
const LARGEST_LIVE_POSITION = '9223372036854775807';

/**
 * Positions a client sends back (`?after=` of the live push, `waitFor` of read-your-writes):
 * anything no server could have given out is refused at the door with 400 naming the field,
 * never accepted and then failed on by the database.
 */
describe('position inputs', () => {
  let desk: TestDesk;
  let wsUrl: string;
  let agent: ApiClient;

  beforeAll(async () => {
    desk = await startTestDesk();
    wsUrl = `${desk.base.replace(/^http/, 'ws')}${LIVE_PATH}`;
    agent = await desk.signIn('agent@demo.test');
  });
  afterAll(async () => desk?.stop());

  it('when a live resume names a position past 64 bits, then the upgrade is refused with 400 naming query.after (no hello, no 1011)', async () => {
    const cookie = await sessionCookie('auditor@demo.test');
    const refused = await tryUpgrade(wsUrl, { cookie, after: PAST_64_BITS });
    expect(refused.status).toBe(400);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(JSON.parse(refused.body)).toMatchObject({
      status: 400,
      code: 'invalid_input',
      errors: [expect.objectContaining({ path: 'query.after' })],
    });
  });

  it('when a live resume names the largest 64-bit position, then it is a position: reload (unknown_position), not a failed replay', async () => {
    const cookie = await sessionCookie('admin@demo.test');
    const client = await LiveClient.connect(wsUrl, { cookie, after: LARGEST_LIVE_POSITION });
    try {
      expect(await client.waitFor((f) => f.type === 'reload')).toMatchObject({ reason: 'unknown_position' });
      expect((await client.closedPromise).code).toBe(4009);
    } finally {
      await client.close();
    }
  });

  it('when a read waits for a position past 64 bits, by query or by header, then 400 names the field', async () => {
    const byQuery = await agent.request('GET', `/api/support/inbox?waitFor=18446744073709551616-0`);
    expect(byQuery.status).toBe(400);
    expect(byQuery.body).toMatchObject({ errors: [expect.objectContaining({ path: 'query.waitFor' })] });
    const byHeader = await agent.request('GET', '/api/support/inbox', undefined, {
      'x-wait-for-position': '0-18446744073709551616',
    });
    expect(byHeader.status).toBe(400);
    expect(byHeader.body).toMatchObject({ errors: [expect.objectContaining({ path: 'headers.x-wait-for-position' })] });
  });

  it('when a read waits for the position a command answered, then it answers fresh', async () => {
    const partner = await desk.signIn('partner@acme.test');
    const raised = await raiseQuery(partner, queryAbout('Read your writes', 'hello'));
    const read = await agent.request('GET', `/api/support/threads/${raised.threadId}?waitFor=${raised.position}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('x-consistency')).toBe('fresh');
  });

  /** The sd_session cookie of a fresh sign-in (the websocket handshake carries it). */
  async function sessionCookie(email: string): Promise<string> {
    const res = await fetch(`${desk.base}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'demo-password-1' }),
    });
    expect(res.status).toBe(200);
    return res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ');
  }
});
