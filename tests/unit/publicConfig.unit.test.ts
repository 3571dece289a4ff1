import { describe, expect, it } from 'vitest';
import { PublicConfigCache } from '../../read-api/publicConfig.js';

/** A pool that answers the config row it is given, counting queries; `hold` keeps answers back until released. */
function fakePool(row: Record<string, unknown> | undefined) {
  const state = { row, queries: 0, held: [] as (() => void)[], hold: false };
  const pool = {
    query: async () => {
      state.queries++;
      const answer = { rows: state.row ? [{ ...state.row }] : [] };
      if (state.hold) await new Promise<void>((resolve) => state.held.push(resolve));
      return answer;
    },
  };
  const release = () => {
    for (const r of state.held.splice(0)) r();
  };
  return { pool: pool as never, state, release };
}

const row = (enabled: boolean) => ({
  whatsapp_number: '4915123456789',
  whatsapp_bubble_enabled: enabled,
  support_email: 'help@desk.test',
  portal_base_url: 'https://desk.example.com',
});

describe('PublicConfigCache', () => {
  it('answers from memory within its time, with one query however many ask at once', async () => {
    let now = 0;
    const { pool, state } = fakePool(row(true));
    const cache = new PublicConfigCache(
      pool,
      () => 'http://here',
      1000,
      () => now,
    );
    const answers = await Promise.all(Array.from({ length: 100 }, () => cache.get()));
    expect(state.queries).toBe(1);
    expect(answers.every((a) => a.whatsappBubbleEnabled)).toBe(true);
    now = 999;
    await cache.get();
    expect(state.queries).toBe(1);
    // past its time it reads again (the bound when no change notice comes)
    state.row = row(false);
    now = 1000;
    expect((await cache.get()).whatsappBubbleEnabled).toBe(false);
    expect(state.queries).toBe(2);
  });

  it('after invalidate(), the next request reads the config again', async () => {
    const { pool, state } = fakePool(row(true));
    const cache = new PublicConfigCache(
      pool,
      () => 'http://here',
      600_000,
      () => 0,
    );
    await cache.get();
    state.row = row(false);
    expect((await cache.get()).whatsappBubbleEnabled).toBe(true); // still in memory
    cache.invalidate();
    expect((await cache.get()).whatsappBubbleEnabled).toBe(false);
    expect(state.queries).toBe(2);
  });

  it('a read that started before an invalidation is neither kept nor shared with requests after it', async () => {
    const { pool, state, release } = fakePool(row(true));
    const cache = new PublicConfigCache(
      pool,
      () => 'http://here',
      600_000,
      () => 0,
    );
    state.hold = true;
    const early = cache.get(); // reads the old row, answer held back
    await Promise.resolve();
    state.row = row(false);
    cache.invalidate(); // the change is followed meanwhile
    const late = cache.get(); // must not wait for the early read's (old) answer
    await new Promise((resolve) => setTimeout(resolve, 0));
    release();
    expect((await early).whatsappBubbleEnabled).toBe(true);
    expect((await late).whatsappBubbleEnabled).toBe(false);
    state.hold = false;
    // and what is kept is the later answer
    expect((await cache.get()).whatsappBubbleEnabled).toBe(false);
    expect(state.queries).toBe(2);
  });

  it('before any config is saved, the portal base URL is where the desk serves, and the bubble is off', async () => {
    const { pool } = fakePool(undefined);
    let origin = 'http://127.0.0.1:3000';
    const cache = new PublicConfigCache(
      pool,
      () => origin,
      600_000,
      () => 0,
    );
    expect(await cache.get()).toEqual({
      whatsappNumber: null,
      whatsappBubbleEnabled: false,
      supportEmail: 'support@example.com',
      portalBaseUrl: 'http://127.0.0.1:3000',
    });
    origin = 'http://127.0.0.1:4123'; // the server now listens elsewhere: not the remembered answer
    expect((await cache.get()).portalBaseUrl).toBe('http://127.0.0.1:4123');
  });

  it('with the bubble enabled but no number, the bubble is off', async () => {
    const { pool } = fakePool({ ...row(true), whatsapp_number: null });
    const cache = new PublicConfigCache(pool, () => 'http://here');
    expect((await cache.get()).whatsappBubbleEnabled).toBe(false);
  });
});
