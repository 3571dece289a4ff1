import { randomInt } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tryUpgrade } from '../support/liveClient.js';
import { startTestDesk, type TestDesk } from '../support/testDesk.js';

/** A documentation address (TEST-NET-3) nobody else in this file uses. */
const used = new Set<string>();
function freshAddress(): string {
  for (;;) {
    const address = `203.0.${randomInt(0, 256)}.${randomInt(1, 255)}`;
    if (!used.has(address)) {
      used.add(address);
      return address;
    }
  }
}

const BAD_TOKEN = 'B'.repeat(43);
/** Uses of a guest token per client address and minute (desk.ts). */
const GUEST_TOKEN_USES = 120;

const wsUrlOf = (desk: TestDesk) => `${desk.base.replace(/^http/, 'ws')}/api/support/live`;

/**
 * One client-address rule for every limit: X-Forwarded-For is believed only from the proxies
 * TRUST_PROXY names, and the live push's upgrades count the same address as HTTP does.
 */
describe('the client address', () => {
  describe('when TRUST_PROXY is unset', () => {
    // every request of these tests comes from 127.0.0.1: each test gets a desk (and counters) of its own
    let desk: TestDesk | undefined;
    afterEach(async () => {
      await desk?.stop();
      desk = undefined;
    });

    it('when a loopback peer varies X-Forwarded-For, then guest token uses still count against its own address, over HTTP and the websocket', async () => {
      desk = await startTestDesk();
      desk.clock.toWindowStart(60); // rate limits are one-minute windows: never straddle one
      for (let i = 0; i < GUEST_TOKEN_USES; i++) {
        const res = await desk.anonymous.request('GET', '/api/auth/me', undefined, {
          'x-guest-token': BAD_TOKEN,
          'x-forwarded-for': freshAddress(),
        });
        expect(res.status).toBe(401);
      }
      const http = await desk.anonymous.request('GET', '/api/auth/me', undefined, {
        'x-guest-token': BAD_TOKEN,
        'x-forwarded-for': freshAddress(),
      });
      expect(http.status).toBe(429);
      const upgrade = await tryUpgrade(wsUrlOf(desk), {
        guestToken: BAD_TOKEN,
        headers: { 'x-forwarded-for': freshAddress() },
      });
      expect(upgrade.status).toBe(429);
    });

    it('when a loopback peer varies X-Forwarded-For, then the client error intake still limits its own address', async () => {
      desk = await startTestDesk();
      desk.clock.toWindowStart(60); // rate limits are one-minute windows: never straddle one
      const report = () =>
        desk!.anonymous.request(
          'POST',
          '/api/client-logs',
          { level: 'error', message: 'boom' },
          { 'x-forwarded-for': freshAddress() },
        );
      for (let i = 0; i < 30; i++) expect((await report()).status).toBe(202);
      expect((await report()).status).toBe(429);
    });
  });

  describe('when TRUST_PROXY names the proxy (loopback)', () => {
    let desk: TestDesk;
    beforeAll(async () => {
      desk = await startTestDesk({ TRUST_PROXY: 'loopback' });
    });
    afterAll(async () => desk?.stop());

    it('when a client uses guest tokens over HTTP and then over the websocket, then both count against its forwarded address', async () => {
      desk.clock.toWindowStart(60); // rate limits are one-minute windows: never straddle one
      const client = freshAddress();
      for (let i = 0; i < GUEST_TOKEN_USES - 1; i++) {
        const res = await desk.anonymous.request('GET', '/api/auth/me', undefined, {
          'x-guest-token': BAD_TOKEN,
          'x-forwarded-for': client,
        });
        expect(res.status).toBe(401);
      }
      // the 120th use, through the proxy's upgrade: still counted, still refused as a bad link
      const last = await tryUpgrade(wsUrlOf(desk), { guestToken: BAD_TOKEN, headers: { 'x-forwarded-for': client } });
      expect(last.status).toBe(401);
      const overWs = await tryUpgrade(wsUrlOf(desk), { guestToken: BAD_TOKEN, headers: { 'x-forwarded-for': client } });
      expect(overWs.status).toBe(429);
      expect(overWs.headers['retry-after']).toBe('60');
      const overHttp = await desk.anonymous.request('GET', '/api/auth/me', undefined, {
        'x-guest-token': BAD_TOKEN,
        'x-forwarded-for': client,
      });
      expect(overHttp.status).toBe(429);

      // another client behind the same proxy has its own allowance
      const other = await tryUpgrade(wsUrlOf(desk), {
        guestToken: BAD_TOKEN,
        headers: { 'x-forwarded-for': freshAddress() },
      });
      expect(other.status).toBe(401);
    });

    it('when a client prepends a forged address, then the address the proxy saw is the one counted', async () => {
      desk.clock.toWindowStart(60); // rate limits are one-minute windows: never straddle one
      const client = freshAddress();
      for (let i = 0; i < 30; i++) {
        const res = await desk.anonymous.request(
          'POST',
          '/api/client-logs',
          { level: 'error', message: 'boom' },
          // the client sent its own X-Forwarded-For; the proxy appended the address it saw
          { 'x-forwarded-for': `${freshAddress()}, ${client}` },
        );
        expect(res.status).toBe(202);
      }
      const res = await desk.anonymous.request(
        'POST',
        '/api/client-logs',
        { level: 'error', message: 'boom' },
        { 'x-forwarded-for': `${freshAddress()}, ${client}` },
      );
      expect(res.status).toBe(429);
    });
  });
});
