import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clamdScannerFromUrl, parseClamdUrl } from '../../../platform/scanning/clamdScanner.js';
import { ScannerUnavailableError } from '../../../platform/scanning/virusScanner.js';
import { EICAR_SIGNATURE, eicarBytes, startClamd, type ClamdProcess } from '../../support/clamd.js';
import { freePort } from '../../support/freePort.js';
import { seededRandom, testSeed } from '../../support/seededRandom.js';

/** `total` bytes of seeded noise, made a piece at a time as they are read; `read()` says how many were. */
function seededBytes(seed: number, total: number, pieceBytes = 64 * 1024) {
  const random = seededRandom(seed);
  let produced = 0;
  const stream = new Readable({
    read() {
      if (produced >= total) {
        this.push(null);
        return;
      }
      const piece = Buffer.alloc(Math.min(pieceBytes, total - produced));
      for (let i = 0; i < piece.length; i += 4) piece.writeUInt32LE(Math.floor(random.next() * 2 ** 32), i);
      produced += piece.length;
      this.push(piece);
    },
  });
  return { stream, produced: () => produced };
}

describe('the clamd scanner against a real clamd', () => {
  let clamd: ClamdProcess;
  const seed = testSeed('clamdScanner');

  beforeAll(async () => {
    clamd = await startClamd({ streamMaxLength: '1M' });
  });
  afterAll(async () => {
    await clamd?.stop();
  });

  it('when the EICAR test file is streamed, then clamd finds it and names its signature', async () => {
    const verdict = await clamd.scanner().scan(Readable.from([eicarBytes()]));
    expect(verdict).toEqual({ status: 'infected', signature: EICAR_SIGNATURE });
  });

  it('when EICAR arrives split across many small chunks, then it is still found (the chunks are one stream)', async () => {
    const bytes = eicarBytes();
    const pieces = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.subarray(i * 4, i * 4 + 4));
    const verdict = await clamd.scanner({ chunkBytes: 3 }).scan(Readable.from(pieces));
    expect(verdict).toEqual({ status: 'infected', signature: EICAR_SIGNATURE });
  });

  it('when seeded random bytes are streamed, then they are clean', async () => {
    const source = seededBytes(seed, 900 * 1024);
    const verdict = await clamd.scanner().scan(source.stream);
    expect(verdict).toEqual({ status: 'clean' });
    expect(source.produced()).toBe(900 * 1024);
  });

  it('when a file is larger than StreamMaxLength, then it is unscannable and the rest of it is not read', async () => {
    // 64 MiB against a 1 MiB limit: with back-pressure, reading stops soon after clamd answers
    const total = 64 * 1024 * 1024;
    const source = seededBytes(seed + 1, total);
    const verdict = await clamd.scanner().scan(source.stream);
    expect(verdict).toMatchObject({ status: 'unscannable' });
    expect(verdict.status === 'unscannable' && verdict.reason).toContain('StreamMaxLength');
    expect(source.produced()).toBeLessThan(total / 2);
    expect(source.stream.destroyed).toBe(true);
  });

  it('when asked its version, then clamd answers its version line', async () => {
    expect(await clamd.scanner().version()).toMatch(/^ClamAV \d+\.\d+\.\d+/);
  });

  it('when built from CLAMD_URL, then tcp:// reaches the same clamd', async () => {
    const scanner = clamdScannerFromUrl(clamd.url);
    expect(scanner.name).toBe(`clamd ${clamd.url}`);
    expect(await scanner.scan(Readable.from([eicarBytes()]))).toEqual({
      status: 'infected',
      signature: EICAR_SIGNATURE,
    });
  });

  it('when CLAMD_URL names a unix socket, then the scanner talks over it', async () => {
    // clamd itself listens on TCP only here: a unix socket that relays each connection to it
    const folder = await mkdtemp(path.join(tmpdir(), 'desk-clamd-unix-'));
    const socketPath = path.join(folder, 'clamd.ctl');
    const relay: Server = createServer((client) => {
      const upstream = connect(clamd.port, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(socketPath, resolve));
    try {
      const scanner = clamdScannerFromUrl(`unix:${socketPath}`);
      expect(scanner.name).toBe(`clamd unix:${socketPath}`);
      expect(await scanner.version()).toMatch(/^ClamAV /);
      expect(await scanner.scan(Readable.from([eicarBytes()]))).toEqual({
        status: 'infected',
        signature: EICAR_SIGNATURE,
      });
    } finally {
      await new Promise((resolve) => relay.close(resolve));
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('when nothing listens on the port, then scanning throws the retryable error and the source is let go', async () => {
    const closedPort = await freePort();
    const scanner = clamdScannerFromUrl(`tcp://127.0.0.1:${closedPort}`);
    const source = Readable.from([eicarBytes()]);
    const failure = await scanner.scan(source).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ScannerUnavailableError);
    expect((failure as ScannerUnavailableError).retryable).toBe(true);
    expect(source.destroyed).toBe(true);
    await expect(scanner.version()).rejects.toBeInstanceOf(ScannerUnavailableError);
  });

  it('when a server accepts but never answers, then the idle timeout gives the retryable error', async () => {
    const silent = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    try {
      if (typeof address !== 'object' || !address) throw new Error('no address');
      const scanner = clamdScannerFromUrl(`tcp://127.0.0.1:${address.port}`, { idleTimeoutMs: 200 });
      await expect(scanner.scan(Readable.from([Buffer.from('hello')]))).rejects.toThrow(
        /neither took data nor answered/,
      );
    } finally {
      silent.close();
    }
  });

  it('when CLAMD_URL is neither tcp://host:port nor unix:/path, then it is refused with the forms it takes', () => {
    expect(parseClamdUrl('tcp://clamav:3310')).toEqual({ kind: 'tcp', host: 'clamav', port: 3310 });
    expect(parseClamdUrl('unix:///run/clamav/clamd.ctl')).toEqual({ kind: 'unix', path: '/run/clamav/clamd.ctl' });
    expect(() => parseClamdUrl('clamav:3310')).toThrow(/tcp:\/\/host:port or unix:/);
    expect(() => parseClamdUrl('tcp://clamav')).toThrow(/tcp:\/\/host:port/);
    expect(() => parseClamdUrl('unix:relative.ctl')).toThrow(/absolute path/);
  });
});
