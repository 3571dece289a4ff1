import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePosition } from '../../eventstore/port.js';
import {
  LiveClient,
  call,
  signInSession,
  startLiveProcess,
  type LiveProcess,
  type Session,
} from '../support/liveClient.js';
import { queryAbout, raiseQuery } from '../support/raiseQuery.js';
import { startTestDesk, type TestDesk } from '../support/testDesk.js';

interface PublicConfig {
  whatsappNumber: string | null;
  whatsappBubbleEnabled: boolean;
  supportEmail: string;
  portalBaseUrl: string;
}

/**
 * A config change reaches every open page at once (the `config` push), and what those pages
 * then fetch, or a fresh page load, is the new config: browsers and proxies must ask again each
 * time (no max-age), and the API process's own memory of it is emptied when its live hub follows
 * the change, before the push. The process here keeps the public config in memory for ten
 * minutes without a change notice, so only that emptying can make it fresh.
 */
describe('public config: fresh as soon as it changed', () => {
  let desk: TestDesk;
  let api: LiveProcess;
  let admin: Session;
  let partner: Session;
  let config: Omit<PublicConfig, 'whatsappBubbleEnabled' | 'whatsappNumber'>;

  /** A page's GET; with `ifNoneMatch`, the conditional one a browser sends for what it keeps (as on a reload). */
  const read = async (ifNoneMatch?: string) => {
    // (fetch would add `Cache-Control: no-cache` to a request with If-None-Match, which no browser does for its cache)
    const headers: Record<string, string> = ifNoneMatch
      ? { 'if-none-match': ifNoneMatch, 'cache-control': 'max-age=0' }
      : {};
    const res = await fetch(`${api.base}/api/support/public/config`, { headers });
    return {
      status: res.status,
      headers: res.headers,
      body: res.status === 200 ? ((await res.json()) as PublicConfig) : null,
    };
  };
  const save = async (bubble: boolean) => {
    const res = await admin.request<{ position: string }>('PUT', '/api/support/config', {
      ...config,
      whatsappNumber: '4915123456789',
      whatsappBubbleEnabled: bubble,
    });
    expect(res.status).toBe(200);
    return res.body.position;
  };

  beforeAll(async () => {
    desk = await startTestDesk();
    api = await startLiveProcess(desk.db.url, { publicConfigCacheMs: 600_000 });
    [admin, partner] = (await Promise.all(
      ['admin@demo.test', 'partner@acme.test'].map((e) => signInSession(desk.base, e)),
    )) as [Session, Session];
    config = { supportEmail: 'help@desk.test', portalBaseUrl: 'https://desk.example.com' };
    const position = await save(true);
    expect(await desk.desk.watcher.waitFor(parsePosition(position), ['systemConfig'], 5000)).toBe(true);
  });

  afterAll(async () => {
    await api?.stop();
    await desk?.stop();
  });

  it('is never cached by browsers or proxies without asking again; an unchanged config is answered 304', async () => {
    const first = await read();
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('public, no-cache');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await read(etag!);
    expect(again.status).toBe(304);
  });

  it('when an admin turns the bubble off, then every open page is told, and what it fetches then is the new config', async () => {
    // the bubble is on, and this process has it in memory (for ten minutes, were nothing said)
    const before = await read();
    expect(before.body).toMatchObject({ whatsappBubbleEnabled: true, whatsappNumber: '4915123456789' });
    const etag = before.headers.get('etag')!;

    const staff = await LiveClient.connect(api.wsUrl, { cookie: admin.cookie });
    const portal = await LiveClient.connect(api.wsUrl, { cookie: partner.cookie });
    const thread = await raiseQuery(partner, queryAbout('config', 'a guest link is needed'));
    const link = await call<{ token: string }>(
      desk.base,
      'POST',
      `/api/support/threads/${thread.threadId}/guest-links`,
      {},
      { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
    );
    const guest = await LiveClient.connect(api.wsUrl, { guestToken: link.body.token });
    try {
      const marks = [staff, portal, guest].map((c) => c.frames.length);
      const position = await save(false); // saved through the other process
      await Promise.all([staff, portal, guest].map((c, i) => c.waitFor((f) => f.type === 'config', 10_000, marks[i])));
      // what a page refetches on that frame (an ordinary request, or a conditional one with the old ETag)
      const after = await read();
      expect(after.body).toMatchObject({ whatsappBubbleEnabled: false, whatsappNumber: '4915123456789' });
      const revalidated = await read(etag);
      expect(revalidated.status).toBe(200);
      expect(revalidated.body?.whatsappBubbleEnabled).toBe(false);
      expect(revalidated.headers.get('etag')).not.toBe(etag);
      expect(await desk.desk.watcher.waitFor(parsePosition(position), ['systemConfig'], 5000)).toBe(true);
    } finally {
      await Promise.all([staff, portal, guest].map((c) => c.close()));
    }
  });
});
