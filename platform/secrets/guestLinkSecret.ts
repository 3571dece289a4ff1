import path from 'node:path';
import { loadLocalKeyFile } from './localKeyFile.js';

/**
 * The secret guest link tokens are derived from (docs/decisions/0005). From GUEST_LINK_SECRET in
 * production, the same on every API and email worker process (a secret store, never the
 * database); on a development machine, a random key in `guest-link.key` beside the embedded data.
 * GUEST_LINK_SECRET_PREVIOUS, during a rotation, still lets email rebuild the older links.
 */
export async function loadGuestLinkSecrets(
  config: { GUEST_LINK_SECRET?: string | undefined; GUEST_LINK_SECRET_PREVIOUS?: string | undefined },
  dataDir: string,
): Promise<{ secrets: string[]; source: string }> {
  const previous = config.GUEST_LINK_SECRET_PREVIOUS ? [config.GUEST_LINK_SECRET_PREVIOUS] : [];
  if (config.GUEST_LINK_SECRET)
    return { secrets: [config.GUEST_LINK_SECRET, ...previous], source: 'GUEST_LINK_SECRET' };
  const file = path.resolve(path.dirname(dataDir), 'guest-link.key');
  return { secrets: [await loadLocalKeyFile(file, 'GUEST_LINK_SECRET'), ...previous], source: file };
}
