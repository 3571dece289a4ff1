import { mkdir, mkdtemp, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSealKey } from '../../platform/audit/sealKey.js';
import { defaultDataDir } from '../../platform/database/embeddedPostgres.js';

const isRoot = process.getuid?.() === 0;
/** A folder the user Postgres runs as cannot enter: as root, 0700 (Postgres runs as postgres); otherwise 0600. */
const closed = isRoot ? 0o700 : 0o600;

/**
 * With no EMBEDDED_PG_DIR, `npm start` keeps its cluster in the checkout; a checkout the Postgres
 * user cannot reach (under /root) gets a folder of the desk's own instead, and nothing the desk
 * did not create changes mode.
 */
describe('the default embedded data folder', () => {
  const made: string[] = [];
  afterEach(async () => {
    for (const dir of made.splice(0)) {
      await chmod(dir, 0o755).catch(() => undefined); // folders this test made
      await rm(dir, { recursive: true, force: true });
    }
  });
  async function folder(mode: number): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'desk-default-'));
    made.push(dir);
    await chmod(dir, mode);
    return dir;
  }

  it('when the checkout is reachable, then the data lives in its .data/postgres', async () => {
    const checkout = await folder(0o755);
    expect(await defaultDataDir(() => undefined, checkout, await folder(0o755))).toBe(
      path.join(checkout, '.data/postgres'),
    );
  });

  it('when a parent of the checkout is closed, then a folder of the desk’s own is used and the parent keeps its mode', async () => {
    const home = await folder(0o755);
    const checkout = path.join(home, 'desk');
    await mkdir(checkout);
    await chmod(home, closed);
    const fallbackRoot = await folder(0o1777);
    const lines: string[] = [];
    const dataDir = await defaultDataDir((l) => lines.push(l), checkout, fallbackRoot);
    expect(path.dirname(path.dirname(dataDir))).toBe(fallbackRoot);
    expect(path.basename(dataDir)).toBe('postgres');
    expect((await stat(path.dirname(dataDir))).mode & 0o7777).toBe(0o755);
    expect((await stat(home)).mode & 0o7777).toBe(closed);
    expect((await stat(fallbackRoot)).mode & 0o7777).toBe(0o1777);
    expect(lines.join('\n')).toContain(dataDir);
    // the next start of the same checkout finds the same folder
    expect(await defaultDataDir(() => undefined, checkout, fallbackRoot)).toBe(dataDir);
  });

  it('when someone else planted the fallback folder (writable by others, or a link), then it is refused', async () => {
    const home = await folder(0o755);
    const checkout = path.join(home, 'desk');
    await mkdir(checkout);
    await chmod(home, closed);
    const fallbackRoot = await folder(0o1777);
    const expected = await defaultDataDir(() => undefined, checkout, fallbackRoot);
    const own = path.dirname(expected);
    await chmod(own, 0o777);
    await expect(defaultDataDir(() => undefined, checkout, fallbackRoot)).rejects.toThrow(/not a folder of this user/);
    await rm(own, { recursive: true });
    await symlink(await folder(0o755), own);
    await expect(defaultDataDir(() => undefined, checkout, fallbackRoot)).rejects.toThrow(/not a folder of this user/);
  });

  it('when a seal key file was put beside the data by someone else (readable by others), then it is refused; a new one is 0600', async () => {
    const shared = await folder(0o1777);
    const dataDir = path.join(shared, 'postgres');
    await writeFile(path.join(shared, 'audit-seal.key'), 'planted\n', { mode: 0o644 });
    await chmod(path.join(shared, 'audit-seal.key'), 0o644);
    await expect(loadSealKey(undefined, dataDir)).rejects.toThrow(/not a file of this user that only it may read/);
    await rm(path.join(shared, 'audit-seal.key'));
    const created = await loadSealKey(undefined, dataDir);
    expect((await stat(created.source)).mode & 0o777).toBe(0o600);
    expect((await loadSealKey(undefined, dataDir)).key).toBe(created.key);
  });
});
