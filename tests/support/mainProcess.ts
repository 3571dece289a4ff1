import { spawn } from 'node:child_process';
import { freePort } from './freePort.js';

export interface MainProcess {
  base: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

/**
 * `app/main.ts` as `npm start` runs it, on a free port, with `env` over this process's own
 * (DATABASE_URL removed unless given: the embedded default), as `roles` (all by default).
 * Resolves once it prints `marker` (by default: that it listens).
 */
export async function startMain(
  env: Record<string, string>,
  options: { roles?: string[]; marker?: string } = {},
): Promise<MainProcess & { port: number }> {
  const marker = options.marker ?? 'support desk listening';
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  delete childEnv.DATABASE_URL;
  Object.assign(childEnv, env);
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts', ...(options.roles ?? [])], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes(marker)) return resolve();
      if (child.exitCode !== null) return reject(new Error(`did not start:\n${output}`));
      setTimeout(check, 100);
    };
    check();
  });
  return { base: `http://127.0.0.1:${port}`, port, output: () => output, stop };
}
