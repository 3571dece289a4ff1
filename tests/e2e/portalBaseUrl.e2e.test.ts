import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueThreadLink } from '../support/guestLinks.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { startTestDesk, type ApiClient, type TestDesk } from '../support/testDesk.js';

/**
 * The portal base URL before an admin sets one: where this desk serves, not a fixed
 * http://127.0.0.1:3000. The test desk listens on a free port (never 3000), HOST 127.0.0.1.
 */
describe('the default portal base URL over HTTP', () => {
  let desk: TestDesk;
  let admin: ApiClient;
  let agent: ApiClient;

  beforeAll(async () => {
    desk = await startTestDesk();
    [admin, agent] = await Promise.all([desk.signIn('admin@demo.test'), desk.signIn('agent@demo.test')]);
  });
  afterAll(async () => desk?.stop());

  async function issueLink(): Promise<string> {
    const partner = await desk.signIn('partner@acme.test');
    const raised = await raiseQuery(partner, queryAbout('Where does the link go?', 'hello'));
    return (await issueThreadLink(agent, raised.threadId)).url;
  }

  it('when no admin has set it, then a desk on another port issues links with its own origin', async () => {
    expect(new URL(desk.base).port).not.toBe('3000');
    const url = await issueLink();
    expect(url).toMatch(new RegExp(`^${desk.base.replace(/\./g, '\\.')}/t/[A-Za-z0-9_-]{43}$`));
    // the link is this desk's: its token reads the thread here
    const token = url.split('/t/')[1]!;
    expect((await desk.guest(token).request('GET', '/api/support/my/threads')).status).toBe(200);

    // the config page and the public config say the same
    expect((await admin.request<{ portalBaseUrl: string }>('GET', '/api/support/config')).body.portalBaseUrl).toBe(
      desk.base,
    );
    const publicConfig = await desk.anonymous.request<{ portalBaseUrl: string }>('GET', '/api/support/public/config');
    expect(publicConfig.body.portalBaseUrl).toBe(desk.base);
  });

  it('when an admin sets it, then links use what they set', async () => {
    const saved = await admin.request<{ portalBaseUrl: string }>('PUT', '/api/support/config', {
      whatsappNumber: null,
      supportEmail: 'support@example.com',
      portalBaseUrl: 'https://desk.example.com/',
      whatsappBubbleEnabled: false,
    });
    expect(saved.status).toBe(200);
    expect(saved.body.portalBaseUrl).toBe('https://desk.example.com');
    expect(await issueLink()).toMatch(/^https:\/\/desk\.example\.com\/t\//);
    expect((await admin.request<{ portalBaseUrl: string }>('GET', '/api/support/config')).body.portalBaseUrl).toBe(
      'https://desk.example.com',
    );
  });
});
