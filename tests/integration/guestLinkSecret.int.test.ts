import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGuestLinkSecrets } from '../../platform/secrets/guestLinkSecret.js';

/** Where the guest link secret comes from: GUEST_LINK_SECRET, else a key file made once beside the data. */
describe('the guest link secret', () => {
  const made: string[] = [];
  afterAll(async () => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));
  const folder = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'guest-link-secret-'));
    made.push(dir);
    return dir;
  };

  it('when GUEST_LINK_SECRET is set, then it is used (with the previous one after it) and no file is made', async () => {
    const dir = await folder();
    const loaded = await loadGuestLinkSecrets(
      { GUEST_LINK_SECRET: 'configured-secret', GUEST_LINK_SECRET_PREVIOUS: 'older-secret' },
      path.join(dir, 'postgres'),
    );
    expect(loaded).toEqual({ secrets: ['configured-secret', 'older-secret'], source: 'GUEST_LINK_SECRET' });
    await expect(stat(path.join(dir, 'guest-link.key'))).rejects.toThrow();
  });

  it('when it is unset, then a random key is made once beside the data, 0600, and reused', async () => {
    const dir = await folder();
    const dataDir = path.join(dir, 'postgres');
    const first = await loadGuestLinkSecrets({}, dataDir);
    expect(first.source).toBe(path.join(dir, 'guest-link.key'));
    expect(first.secrets[0]!.length).toBeGreaterThanOrEqual(43);
    expect((await stat(first.source)).mode & 0o777).toBe(0o600);
    expect((await readFile(first.source, 'utf8')).trim()).toBe(first.secrets[0]);
    expect(await loadGuestLinkSecrets({}, dataDir)).toEqual(first);
  });

  it('when a key file was put there by someone else (readable by others), then it is refused', async () => {
    const dir = await folder();
    await chmod(dir, 0o1777);
    const file = path.join(dir, 'guest-link.key');
    await writeFile(file, 'planted\n', { mode: 0o644 });
    await chmod(file, 0o644);
    await expect(loadGuestLinkSecrets({}, path.join(dir, 'postgres'))).rejects.toThrow(
      /not a file of this user that only it may read.*set GUEST_LINK_SECRET/,
    );
  });
});
