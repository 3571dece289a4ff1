import { describe, expect, it, onTestFinished } from 'vitest';
import { DeskProcess } from './support/deskProcess.js';
import { until } from './support/http.js';

/**
 * The harness the other chaos files stand on. Found by crashSafety on a clean clone: once a
 * process had printed more than the output DeskProcess keeps, no restart of it was ever seen to
 * come up (the start marker was looked for from an offset into the kept output, which had moved).
 */
describe('DeskProcess, the chaos tier’s process harness', () => {
  const chatty = async (env: Record<string, string> = {}) => {
    const p = await DeskProcess.create({
      role: 'email',
      databaseUrl: 'postgres://unused',
      entry: 'tests/chaos/support/chattyProcess.ts',
      outputLimit: 10_000,
      env,
    });
    onTestFinished(() => p.dispose());
    return p;
  };

  it('when a process has printed far more than the output kept, then every restart is still seen to come up', async () => {
    const p = await chatty();
    for (let start = 1; start <= 4; start++) {
      await p.start();
      const printed = p.printedChars;
      // it goes on printing after its marker: let it print more than everything kept, then kill it
      await until('more output than is kept', async () => p.printedChars > printed + 30_000, 60_000, 10);
      expect(p.logs.length).toBeLessThanOrEqual(10_000);
      await p.kill();
    }
    expect(p.starts).toBe(4);
    expect(p.kills).toBe(4);
  });

  it('when a process exits before its start marker, then start fails at once, with its output', async () => {
    const p = await chatty({ CHATTY_EXIT: '1' });
    await expect(p.start(600_000)).rejects.toThrow(/the email process exited while starting:[\s\S]*starting/);
  });

  it('when a process was disposed, then it is not started again', async () => {
    const p = await chatty();
    await p.start();
    await p.dispose();
    expect(p.running).toBe(false);
    await expect(p.start()).rejects.toThrow(/disposed/);
  });
});
