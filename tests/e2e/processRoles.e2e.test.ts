import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startMain } from '../support/mainProcess.js';
import { createTestDatabase } from '../support/testDatabase.js';
import { TEST_SEAL_KEY } from '../support/testDesk.js';

/** Whether anything accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Each process role builds only what it runs (app/main.ts): a projector or an email worker on
 * its own starts no HTTP server and no live hub, so nothing answers on its PORT.
 */
describe('process roles', () => {
  it.each([
    ['projector', 'projector running'],
    ['email', 'email worker running'],
  ])('the %s role alone listens on nothing', async (role, marker) => {
    const db = await createTestDatabase();
    const desk = await startMain(
      { DATABASE_URL: db.url, AUDIT_SEAL_KEY: TEST_SEAL_KEY, GUEST_LINK_SECRET: TEST_SEAL_KEY },
      { roles: [role], marker },
    );
    try {
      expect(await listening(desk.port)).toBe(false);
      expect(desk.output()).not.toContain('support desk listening');
    } finally {
      expect(await desk.stop()).toBe(0);
      await db.drop();
    }
  });
});
