import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../tests/support/freePort.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Session {
  cookie: string;
  csrf: string;
  id: string;
}

/**
 * The real server (`app/main.ts`: API, projector and email worker in one process) as a
 * child process on the bench database, with the demo accounts. Started as `node --import tsx`
 * so that its pid is the server's own (for /proc memory and CPU), optionally under --cpu-prof.
 */
export async function startApiProcess(
  databaseUrl: string,
  options: {
    cpuProfile?: boolean;
    /** `npm start -- api` and the like; all of them by default. */
    roles?: ('api' | 'projector' | 'email')[];
    /** What "started" means: /readyz (projections caught up, the default) or /healthz (serving). */
    readyPath?: '/readyz' | '/healthz';
  } = {},
) {
  const port = await freePort();
  const logDir = await mkdtemp(path.join(tmpdir(), 'support-desk-api-'));
  const log = createWriteStream(path.join(logDir, 'api.log'));
  const args = ['--import', 'tsx'];
  if (options.cpuProfile) args.push('--cpu-prof', `--cpu-prof-dir=${logDir}`);
  args.push(path.join(root, 'app/main.ts'), ...(options.roles ?? []));
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      AUDIT_SEAL_KEY: randomBytes(32).toString('base64url'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}; see ${logDir}/api.log`);
    const ready = await fetch(`${base}${options.readyPath ?? '/readyz'}`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the API was not ready within 90 s; see ${logDir}/api.log`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  async function signIn(email: string): Promise<Session> {
    const res = await fetch(`${base}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'demo-password-1' }),
    });
    if (res.status !== 200) throw new Error(`sign-in of ${email} answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { csrfToken: string; account: { id: string } };
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return { cookie, csrf: body.csrfToken, id: body.account.id };
  }

  return {
    pid: child.pid!,
    base,
    logDir,
    signIn,
    /**
     * SIGTERM, a clean shutdown (which writes the CPU profile), SIGKILL after 20 s. Its folder
     * (log, profile) goes unless a profile was asked for: then `removeFiles()` once it is read.
     */
    async stop(): Promise<void> {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
      if (!options.cpuProfile) await rm(logDir, { recursive: true, force: true });
    },
    async removeFiles(): Promise<void> {
      await rm(logDir, { recursive: true, force: true });
    },
  };
}

export type ApiProcess = Awaited<ReturnType<typeof startApiProcess>>;
