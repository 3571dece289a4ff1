import path from 'node:path';
import { loadLocalKeyFile } from '../secrets/localKeyFile.js';

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
  return { key: await loadLocalKeyFile(file, 'AUDIT_SEAL_KEY'), source: file };
}
