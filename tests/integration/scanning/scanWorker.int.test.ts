import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from '../../../platform/backoff.js';
import { FileBlobStore } from '../../../platform/blobs/fileBlobStore.js';
import { createLogger } from '../../../platform/logger.js';
import { clamdScannerFromUrl } from '../../../platform/scanning/clamdScanner.js';
import type { VirusScanner } from '../../../platform/scanning/virusScanner.js';
import {
  BLOB_MISSING,
  SCAN_BACKOFF,
  SCAN_MAX_ATTEMPTS,
  SCANNER_UNREACHABLE,
  ScanWorker,
  scanWorkerCounts,
  type ScanWorkerOptions,
} from '../../../workers/scanning/scanWorker.js';
import { EICAR_SIGNATURE, eicarBytes, startClamd, type ClamdProcess } from '../../support/clamd.js';
import { freePort } from '../../support/freePort.js';
import { seededRandom, testSeed, type SeededRandom } from '../../support/seededRandom.js';
import { testClock, type TestClock } from '../../support/testClock.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

interface ScanRow {
  status: string;
  detail: string | null;
  scanner: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  scanned_at: Date | null;
  thumbnail_sha256: string | null;
  thumbnail_width: number | null;
  thumbnail_height: number | null;
}

/** A PNG whose header claims width × height black-and-white pixels: a few kilobytes that decode to far more. */
function pixelBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(1, 8); // bit depth 1
  header.writeUInt8(0, 9); // greyscale
  const rows = Buffer.alloc((1 + Math.ceil(width / 8)) * height); // filter byte 0, all pixels 0
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function seededPixels(random: SeededRandom, width: number, height: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = random.int(256);
  return pixels;
}

/** A scanner that counts the scans it passes on to the real one. */
function counting(scanner: VirusScanner): VirusScanner & { scans: number } {
  const counted = {
    name: scanner.name,
    scans: 0,
    version: () => scanner.version(),
    scan: (source: Readable) => {
      counted.scans++;
      return scanner.scan(source);
    },
  };
  return counted;
}

describe('the scan worker, with embedded Postgres, a file blob store and a real clamd', () => {
  const seed = testSeed('scanWorker');
  const random = seededRandom(seed);
  const logger = createLogger('silent');
  let database: TestDatabase;
  let clamd: ClamdProcess;
  let blobFolder: string;
  let blobStore: FileBlobStore;
  let clock: TestClock;

  beforeAll(async () => {
    [database, clamd] = await Promise.all([createTestDatabase(), startClamd({ streamMaxLength: '2M' })]);
    blobFolder = await mkdtemp(path.join(tmpdir(), 'desk-scan-blobs-'));
    blobStore = new FileBlobStore(blobFolder);
  });
  afterAll(async () => {
    await Promise.all([database?.drop(), clamd?.stop()]);
    if (blobFolder) await rm(blobFolder, { recursive: true, force: true });
  });
  beforeEach(async () => {
    clock = testClock();
    await database.pool.query('TRUNCATE attachments, blob_scans');
  });

  const worker = (options: Partial<ScanWorkerOptions> = {}) =>
    new ScanWorker({
      pool: database.pool,
      blobStore,
      scanner: clamd.scanner(),
      logger,
      clock: clock.now,
      ...options,
    });

  /** An upload as the core's store records it: the bytes stored, the attachment staged, the scan pending. */
  async function upload(bytes: Buffer, mediaType: string, fileName: string): Promise<string> {
    const { sha256, size } = await blobStore.put(Readable.from([bytes]));
    await database.pool.query(
      `INSERT INTO attachments (attachment_id, uploader_kind, uploader_id, sha256, size_bytes, media_type, file_name, uploaded_at)
       VALUES ($1, 'staff', 'agent-1', $2, $3, $4, $5, $6)`,
      [randomUUID(), sha256, size, mediaType, fileName, clock.now()],
    );
    await database.pool.query(
      `INSERT INTO blob_scans (sha256, status, created_at) VALUES ($1, 'pending', $2) ON CONFLICT DO NOTHING`,
      [sha256, clock.now()],
    );
    return sha256;
  }

  async function scanOf(sha256: string): Promise<ScanRow> {
    const { rows } = await database.pool.query<ScanRow>('SELECT * FROM blob_scans WHERE sha256 = $1', [sha256]);
    if (!rows[0]) throw new Error(`no blob_scans row for ${sha256}`);
    return rows[0];
  }

  function randomBytes(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = random.int(256);
    return bytes;
  }

  it('when pending blobs are due, then each is scanned and recorded clean or infected with the signature and the scanner version', async () => {
    const eicar = await upload(eicarBytes(), 'text/plain', 'eicar.txt');
    const noise = await upload(randomBytes(200_000), 'application/octet-stream', 'noise.bin');
    const version = await clamd.scanner().version();

    expect(await worker().runOnce()).toBe(2);

    expect(await scanOf(eicar)).toMatchObject({
      status: 'infected',
      detail: EICAR_SIGNATURE,
      scanner: version,
      attempts: 1,
      next_attempt_at: null,
      scanned_at: expect.any(Date),
    });
    expect(await scanOf(noise)).toMatchObject({ status: 'clean', detail: null, scanner: version, attempts: 1 });
    expect(await worker().runOnce()).toBe(0);
  });

  it('when two workers run at once, then each blob is claimed and scanned once', async () => {
    const blobs = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        upload(i === 5 ? eicarBytes() : randomBytes(20_000 + i), 'application/octet-stream', `file-${i}.bin`),
      ),
    );
    const first = counting(clamd.scanner());
    const second = counting(clamd.scanner());

    const [handledByFirst, handledBySecond] = await Promise.all([
      worker({ scanner: first, batchSize: 2 }).runOnce(),
      worker({ scanner: second, batchSize: 2 }).runOnce(),
    ]);

    expect(handledByFirst + handledBySecond).toBe(blobs.length);
    expect(first.scans + second.scans).toBe(blobs.length);
    const { rows } = await database.pool.query<{ status: string; attempts: number }>(
      'SELECT status, attempts FROM blob_scans',
    );
    expect(rows.every((row) => row.attempts === 1)).toBe(true);
    expect(rows.filter((row) => row.status === 'clean')).toHaveLength(blobs.length - 1);
    expect(rows.filter((row) => row.status === 'infected')).toHaveLength(1);
  });

  it('when the scanner cannot be reached, then the blob stays pending and is retried after a capped backoff', async () => {
    const sha256 = await upload(randomBytes(5_000), 'application/octet-stream', 'later.bin');
    const down = clamdScannerFromUrl(`tcp://127.0.0.1:${await freePort()}`, { connectTimeoutMs: 1_000 });

    expect(await worker({ scanner: down }).runOnce()).toBe(1);
    const waiting = await scanOf(sha256);
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, scanned_at: null });
    expect(waiting.next_attempt_at!.getTime() - clock.now().getTime()).toBeGreaterThan(SCAN_BACKOFF.baseMs - 1_000);
    // not due yet: nothing to do, whichever scanner is asked
    expect(await worker().runOnce()).toBe(0);

    clock.shift(SCAN_BACKOFF.baseMs + 1);
    expect(await worker().runOnce()).toBe(1);
    expect(await scanOf(sha256)).toMatchObject({ status: 'clean', attempts: 2, next_attempt_at: null });
  });

  it('when the scanner stays unreachable, then after the last attempt the blob is unscannable', async () => {
    const sha256 = await upload(randomBytes(5_000), 'image/png', 'never.png');
    const down = worker({
      scanner: clamdScannerFromUrl(`tcp://127.0.0.1:${await freePort()}`, { connectTimeoutMs: 1_000 }),
    });

    for (let attempt = 1; attempt < SCAN_MAX_ATTEMPTS; attempt++) {
      expect(await down.runOnce()).toBe(1);
      const row = await scanOf(sha256);
      expect(row).toMatchObject({ status: 'pending', attempts: attempt });
      const waitMs = row.next_attempt_at!.getTime() - clock.now().getTime();
      expect(waitMs).toBeLessThanOrEqual(SCAN_BACKOFF.capMs);
      expect(waitMs).toBeGreaterThan(backoffDelay(attempt - 1, SCAN_BACKOFF) - 1_000);
      clock.shift(waitMs + 1);
    }
    expect(await down.runOnce()).toBe(1);
    expect(await scanOf(sha256)).toMatchObject({
      status: 'unscannable',
      detail: SCANNER_UNREACHABLE,
      attempts: SCAN_MAX_ATTEMPTS,
      next_attempt_at: null,
      thumbnail_sha256: null,
    });
    clock.shift(SCAN_BACKOFF.capMs * 2);
    expect(await down.runOnce()).toBe(0);
  });

  it('when no scanner is configured, then the bytes are recorded not_scanned', async () => {
    const sha256 = await upload(eicarBytes(), 'text/plain', 'unchecked.txt');
    expect(await worker({ scanner: null }).runOnce()).toBe(1);
    expect(await scanOf(sha256)).toMatchObject({ status: 'not_scanned', scanner: null, scanned_at: null, attempts: 1 });
  });

  it('when a blob is missing from the store, then it is unscannable', async () => {
    const sha256 = 'ab'.repeat(32);
    await database.pool.query(`INSERT INTO blob_scans (sha256, status, created_at) VALUES ($1, 'pending', $2)`, [
      sha256,
      clock.now(),
    ]);
    expect(await worker().runOnce()).toBe(1);
    expect(await scanOf(sha256)).toMatchObject({ status: 'unscannable', detail: BLOB_MISSING });
  });

  it('when a blob is larger than the scanner takes, then it is unscannable', async () => {
    const sha256 = await upload(randomBytes(2_500_000), 'application/octet-stream', 'big.bin');
    expect(await worker().runOnce()).toBe(1);
    const row = await scanOf(sha256);
    expect(row.status).toBe('unscannable');
    expect(row.detail).toContain('StreamMaxLength');
  });

  it('when clean images are PNG and JPEG, then each gets a WebP thumbnail of at most 320 px, never enlarged', async () => {
    const wide = await sharp(seededPixels(random, 800, 600), { raw: { width: 800, height: 600, channels: 3 } })
      .png()
      .toBuffer();
    const tall = await sharp(seededPixels(random, 300, 1000), { raw: { width: 300, height: 1000, channels: 3 } })
      .jpeg()
      .toBuffer();
    const small = await sharp(seededPixels(random, 100, 80), { raw: { width: 100, height: 80, channels: 3 } })
      .png()
      .toBuffer();
    const shas = {
      wide: await upload(wide, 'image/png', 'wide.png'),
      tall: await upload(tall, 'image/jpeg', 'tall.jpg'),
      small: await upload(small, 'image/png', 'small.png'),
    };

    expect(await worker().runOnce()).toBe(3);

    const expected = { wide: [320, 240], tall: [96, 320], small: [100, 80] } as const;
    for (const [name, sha256] of Object.entries(shas)) {
      const row = await scanOf(sha256);
      const [width, height] = expected[name as keyof typeof expected];
      expect(row).toMatchObject({ status: 'clean', thumbnail_width: width, thumbnail_height: height });
      const thumbnail = await blobStore.get(row.thumbnail_sha256!);
      const metadata = await sharp(await buffer(thumbnail!)).metadata();
      expect(metadata).toMatchObject({ format: 'webp', width, height });
    }
  });

  it('when no scanner is configured, then an image still gets its thumbnail', async () => {
    const png = await sharp(seededPixels(random, 640, 640), { raw: { width: 640, height: 640, channels: 3 } })
      .png()
      .toBuffer();
    const sha256 = await upload(png, 'image/png', 'square.png');
    expect(await worker({ scanner: null }).runOnce()).toBe(1);
    expect(await scanOf(sha256)).toMatchObject({ status: 'not_scanned', thumbnail_width: 320, thumbnail_height: 320 });
  });

  it('when the file is a PDF, an infected image or a pixel bomb, then it gets no thumbnail, and the bomb is still scanned clean', async () => {
    const pdf = await upload(
      Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
      'application/pdf',
      'letter.pdf',
    );
    const infected = await upload(eicarBytes(), 'image/png', 'not-really.png');
    const bomb = pixelBomb(7_000, 7_000); // 49 megapixels: far below sharp's own limit, above ours
    expect(bomb.length).toBeLessThan(100_000);
    const bombSha = await upload(bomb, 'image/png', 'bomb.png');

    expect(await worker().runOnce()).toBe(3);

    expect(await scanOf(pdf)).toMatchObject({ status: 'clean', thumbnail_sha256: null });
    expect(await scanOf(infected)).toMatchObject({ status: 'infected', thumbnail_sha256: null });
    expect(await scanOf(bombSha)).toMatchObject({
      status: 'clean',
      thumbnail_sha256: null,
      thumbnail_width: null,
      thumbnail_height: null,
    });

    // the same bytes under sharp's own limit do decode: it is the worker's pixel limit that refused them
    await database.pool.query(`UPDATE blob_scans SET status = 'pending', attempts = 0 WHERE sha256 = $1`, [bombSha]);
    expect(await worker({ thumbnailMaxInputPixels: 268_402_689 }).runOnce()).toBe(1);
    expect(await scanOf(bombSha)).toMatchObject({ status: 'clean', thumbnail_width: 320, thumbnail_height: 320 });
  });

  it('when started, then it scans what is due, and a wake makes it look again at once', async () => {
    const before = await upload(randomBytes(1_000), 'application/octet-stream', 'before.bin');
    const running = worker({ pollMs: 60 * 60_000 });
    const rounds: Promise<number>[] = [];
    const runOnce = running.runOnce.bind(running);
    vi.spyOn(running, 'runOnce').mockImplementation(() => {
      const round = runOnce();
      rounds.push(round);
      return round;
    });
    running.start();
    try {
      // the first round scans it, the next finds nothing and the loop sleeps for an hour
      await vi.waitFor(() => expect(rounds.length).toBeGreaterThanOrEqual(2), { timeout: 20_000 });
      await Promise.all(rounds);
      expect((await scanOf(before)).status).toBe('clean');

      const after = await upload(randomBytes(1_000), 'application/octet-stream', 'after.bin');
      running.wake();
      await vi.waitFor(async () => expect((await scanOf(after)).status).toBe('clean'), { timeout: 20_000 });
    } finally {
      await running.stop();
    }
  });

  it('when counted, then pending, infected and unscannable blobs and the oldest pending age are reported', async () => {
    await upload(eicarBytes(), 'text/plain', 'bad.txt');
    await worker().runOnce();
    clock.shift(-90_000);
    await upload(randomBytes(10), 'application/octet-stream', 'old.bin');
    clock.shift(60_000);
    await upload(randomBytes(11), 'application/octet-stream', 'newer.bin');
    clock.shift(30_000);
    await database.pool.query(`INSERT INTO blob_scans (sha256, status, created_at) VALUES ($1, 'unscannable', $2)`, [
      'cd'.repeat(32),
      clock.now(),
    ]);

    expect(await scanWorkerCounts(database.pool, clock.now())).toEqual({
      pending: 2,
      infected: 1,
      unscannable: 1,
      oldestPendingSeconds: 90,
    });
    await database.pool.query('TRUNCATE blob_scans');
    expect(await scanWorkerCounts(database.pool, clock.now())).toEqual({
      pending: 0,
      infected: 0,
      unscannable: 0,
      oldestPendingSeconds: null,
    });
  });
});
