import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AccountStore } from '../../platform/identity/accounts.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';
import { chaosSeed } from './support/chaosSeed.js';
import { DeskProcess } from './support/deskProcess.js';
import { recordFigures } from './support/figures.js';
import { sessionCaller, sleep, type Caller } from './support/http.js';

/**
 * Fuzzing the live push's client messages (`/api/support/live`, docs/live.md) against
 * `app/main.ts api`. A refused upgrade of a signed-in agent is a failure, never a skip.
 */
const FRAMES = 400;
const SEED = chaosSeed('liveFuzz.chaos.test.ts');

describe('bad input: fuzzing the live push', () => {
  let db: TestDatabase;
  let api: DeskProcess;
  let agent: Caller;

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 4 });
    await new AccountStore(db.pool).ensureDemoAccounts();
    agent = await sessionCaller(db.pool, 'agent@demo.test');
    api = await DeskProcess.create({ role: 'api', databaseUrl: db.url, env: { LOG_LEVEL: 'warn' } });
    await api.start();
  });

  afterAll(async () => {
    await api?.dispose();
    await db?.drop();
  });

  /**
   * Closes `ws` with a close handshake and resolves when the server answered it: the server reads
   * the close frame after every frame sent before it, so by then it has dealt with all of them.
   */
  function settled(ws: WebSocket): Promise<void> {
    return new Promise((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.once('close', () => resolve());
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'fuzzing done');
    });
  }

  /** Opens a signed-in socket and waits for its first frame (or its refusal). */
  function open(): Promise<{ ws: WebSocket; first: string } | { refused: number }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${api.port}/api/support/live`, {
        headers: { cookie: agent.headers.cookie!, origin: api.base },
      });
      ws.once('unexpected-response', (_req, res) => resolve({ refused: res.statusCode ?? 0 }));
      ws.once('message', (data: WebSocket.RawData) => resolve({ ws, first: data.toString() }));
      ws.once('error', () => resolve({ refused: 0 }));
    });
  }

  it('when a client sends random, malformed, binary and oversized frames, then the server answers or closes cleanly, stays up, appends nothing, and still greets the next client', async () => {
    const first = await open();
    if ('refused' in first)
      throw new Error(`the upgrade of a signed-in agent to /api/support/live was refused (${first.refused})`);
    expect(JSON.parse(first.first)).toMatchObject({ type: 'hello' });
    const { rows: before } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM es_events');
    const frame = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      fc
        .record({
          type: fc.constantFrom('viewing', 'typing', 'left', 'ping', 'subscribe', '__proto__', ''),
          threadId: fc.oneof(fc.uuid(), fc.string({ maxLength: 50 }), fc.constant('\u0000')),
          id: fc.string({ maxLength: 100 }),
        })
        .map((m) => JSON.stringify(m)),
      fc.constantFrom(
        '{"type":"ping","__proto__":{"polluted":true}}',
        `[${'['.repeat(5000)}${']'.repeat(5000)}]`,
        'x'.repeat(1024 * 1024),
      ),
    );
    const frames = fc.sample(frame, { numRuns: FRAMES, seed: SEED });
    let ws = first.ws;
    let closes = 0;
    let sent = 0;
    for (const [i, text] of frames.entries()) {
      if (ws.readyState !== WebSocket.OPEN) {
        closes++;
        const next = await open();
        if ('refused' in next) throw new Error(`a new socket was refused (${next.refused}) after ${sent} frames`);
        ws = next.ws;
      }
      ws.send(i % 17 === 0 ? Buffer.from(text) : text, { binary: i % 17 === 0 });
      sent++;
      if (i % 50 === 0) await sleep(20);
    }
    await settled(ws);
    expect(api.running, 'the API process is still up').toBe(true);
    const again = await open();
    expect('first' in again && JSON.parse(again.first)).toMatchObject({ type: 'hello' });
    if ('ws' in again) again.ws.terminate();
    const { rows: after } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM es_events');
    expect(after[0]!.n).toBe(before[0]!.n);
    recordFigures('liveFuzz', { framesSent: sent, socketsClosedByServer: closes });
  });
});
