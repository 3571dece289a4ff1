import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A secret for a development machine: a random key in a file beside the embedded data, made on
 * first use. Production sets the variable instead (a secret store, never the database).
 * `variable` names that variable in the refusal, so the message says how to fix it.
 */
export async function loadLocalKeyFile(file: string, variable: string): Promise<string> {
  const existing = await lstat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing) {
    // beside a data folder in a shared place (/tmp) anyone could have put a key there first
    if (!existing.isFile() || existing.uid !== process.getuid?.() || (existing.mode & 0o077) !== 0) {
      throw new Error(
        `the key file ${file} is not a file of this user that only it may read (owner uid ${existing.uid}, ` +
          `mode ${(existing.mode & 0o7777).toString(8)}): remove it, set ${variable}, or choose another EMBEDDED_PG_DIR`,
      );
    }
    return (await readFile(file, 'utf8')).trim();
  }
  const key = randomBytes(32).toString('base64url');
  await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  try {
    // 'wx': never through a file (or a link) that appeared meanwhile; the mode is set at creation
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // another process of this desk made it first: use theirs, with the same checks
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadLocalKeyFile(file, variable);
    throw error;
  }
  return key;
}
