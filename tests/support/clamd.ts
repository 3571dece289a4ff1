import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ClamdScanner } from '../../platform/scanning/clamdScanner.js';
import { freePort } from './freePort.js';

/**
 * A real clamd of the test's own: a temp folder with a signature database that `sigtool` made from
 * the EICAR test file (no download: freshclam needs the internet), a clamd.conf of its own (in the
 * foreground, TCP on a free port of 127.0.0.1, no local socket), started and asked PING until it
 * answers PONG. `stop()` ends that process alone and removes the folder. Without clamd or sigtool
 * installed, `startClamd` throws: the test fails, it is not skipped.
 */

/** The name clamd gives the EICAR file with this database: the signature's name, marked unofficial. */
export const EICAR_SIGNATURE = 'Desk-Test-EICAR.UNOFFICIAL';

/**
 * The EICAR anti-virus test file (68 bytes, harmless, recognised by every scanner), built from two
 * halves so that no file of the repository is itself the test file.
 */
export function eicarBytes(): Buffer {
  return Buffer.from(['X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR', '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(''), 'latin1');
}

export interface ClamdProcess {
  /** `tcp://127.0.0.1:<port>`: what CLAMD_URL would say. */
  url: string;
  port: number;
  /** A client of this clamd. */
  scanner(options?: { idleTimeoutMs?: number; chunkBytes?: number }): ClamdScanner;
  /** The last lines clamd wrote (its log), for a failing test's message. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

const INSTALL_HINT = 'install ClamAV: apt-get install clamav-daemon clamav';

export async function startClamd(options: { streamMaxLength?: string } = {}): Promise<ClamdProcess> {
  const clamd = await findProgram('clamd');
  const sigtool = await findProgram('sigtool');
  const folder = await mkdtemp(path.join(tmpdir(), 'desk-clamd-'));
  try {
    const database = path.join(folder, 'db');
    const temporary = path.join(folder, 'tmp');
    await mkdir(database);
    await mkdir(temporary);
    // sigtool names the signature after the file: the database line is `<sha256>:<size>:Desk-Test-EICAR`
    const sample = path.join(folder, EICAR_SIGNATURE.replace(/\.UNOFFICIAL$/, ''));
    await writeFile(sample, eicarBytes());
    const { stdout } = await promisify(execFile)(sigtool, ['--sha256', path.basename(sample)], { cwd: folder });
    if (!/^[0-9a-f]{64}:68:Desk-Test-EICAR$/m.test(stdout)) throw new Error(`sigtool --sha256 printed "${stdout}"`);
    await writeFile(path.join(database, 'eicar.hdb'), stdout);
    await rm(sample);

    const port = await freePort();
    const logFile = path.join(folder, 'clamd.log');
    const config = path.join(folder, 'clamd.conf');
    await writeFile(
      config,
      [
        'Foreground yes',
        `TCPSocket ${port}`,
        'TCPAddr 127.0.0.1',
        `DatabaseDirectory ${database}`,
        `TemporaryDirectory ${temporary}`,
        `PidFile ${path.join(folder, 'clamd.pid')}`,
        `LogFile ${logFile}`,
        `StreamMaxLength ${options.streamMaxLength ?? '25M'}`,
        // no database checks while a test runs: the database never changes
        'SelfCheck 0',
        '',
      ].join('\n'),
    );

    const child = spawn(clamd, ['--config-file', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-4000);
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let running = true;
    void exited.then(() => (running = false));
    child.once('error', (error) => {
      stderr += `\n${error.message}`;
      running = false;
    });
    const log = async () => {
      const written = await readFile(logFile, 'utf8').catch(() => '');
      return `${written.split('\n').slice(-30).join('\n')}\n${stderr}`;
    };
    const scanner = (scannerOptions: { idleTimeoutMs?: number; chunkBytes?: number } = {}) =>
      new ClamdScanner({
        address: { kind: 'tcp', host: '127.0.0.1', port },
        connectTimeoutMs: 2_000,
        ...scannerOptions,
      });

    const stop = async () => {
      if (running) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      await rm(folder, { recursive: true, force: true });
    };

    // clamd loads its database before it listens: ask PING until PONG (one signature loads in a moment)
    const ready = scanner();
    for (let attempt = 0; ; attempt++) {
      if (!running) {
        const output = await log();
        await stop();
        throw new Error(`clamd exited before it answered PING:\n${output}`);
      }
      try {
        await ready.ping();
        break;
      } catch (error) {
        if (attempt >= 600) {
          const output = await log();
          await stop();
          throw new Error(`clamd did not answer PING within a minute:\n${output}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return { url: `tcp://127.0.0.1:${port}`, port, scanner, log, stop };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

/** The program's path on PATH (clamd is in /usr/sbin, which a non-root PATH may lack). */
async function findProgram(name: string): Promise<string> {
  const folders = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/bin'];
  for (const folder of folders.filter(Boolean)) {
    const candidate = path.join(folder, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`${name} is not installed (not on PATH, nor in /usr/sbin): ${INSTALL_HINT}`);
}
