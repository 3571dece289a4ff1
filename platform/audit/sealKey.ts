import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The key that signs chain seals. From AUDIT_SEAL_KEY in production (a secret store, never the
 * database); on a development machine, a random key in a file beside the embedded data.
 */
export async function loadSealKey(
  configured: string | undefined,
  dataDir: string,
): Promise<{ key: string; source: string }> {
  if (configured) return { key: configured, source: 'AUDIT_SEAL_KEY' };
  const file = path.resolve(path.dirname(dataDir), 'audit-seal.key');
  try {
    return { key: (await readFile(file, 'utf8')).trim(), source: file };
  } catch {
    const key = randomBytes(32).toString('base64url');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${key}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    return { key, source: file };
  }
}
