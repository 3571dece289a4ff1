import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { progressBar } from '../ops/progressBar.js';
import { seededRandom } from '../tests/support/seededRandom.js';
import { startApiProcess } from './apiProcess.js';
import { benchPostgres } from './benchPostgres.js';
import { memoryOf } from './procStats.js';
import { emit, fmt, mb, ratio, type BenchResult } from './report.js';
import { scale, stepLabel } from './scale.js';

/**
 * Uploads: 8 clients send a 25 MB file each at once to the real server (`app/main.ts`, its blob
 * store a folder on this disk, no virus scanner), BENCH_UPLOAD_ROUNDS times. Beside it, the raw
 * rate of the same disk in the same run: 8 writers each writing 25 MB to a file at once, from
 * memory. The server's RSS is read from /proc while the uploads run: a server that held files
 * whole would add 8 × 25 MB.
 */
const clients = 8;
const fileBytes = 25 * 1024 * 1024 - 64 * 1024; // just under the default limit (25 MiB)
const rounds = Number(process.env.BENCH_UPLOAD_ROUNDS ?? (scale.name === 'full' ? 4 : 2));
const seed = Number(process.env.BENCH_SEED ?? 18);
const random = seededRandom(seed);

const pg = await benchPostgres();
const work = await mkdtemp(path.join(tmpdir(), 'support-desk-bench-uploads-'));
const blobDir = path.join(work, 'blobs');

/** A PDF header, then seeded bytes: every file distinct (none stored once for two), no thumbnail to make. */
async function makeFile(n: number): Promise<string> {
  const file = path.join(work, `upload-${n}.pdf`);
  const bytes = Buffer.alloc(fileBytes);
  bytes.write('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 0, 'latin1');
  for (let i = 64; i + 4 <= fileBytes; i += 4) bytes.writeUInt32LE((random.next() * 2 ** 32) >>> 0, i);
  await writeFile(file, bytes);
  return file;
}

/** One upload by curl, a process of its own (as a browser is): the bench process only waits. */
function curlUpload(file: string): Promise<number> {
  return new Promise((resolve, reject) =>
    execFile(
      'curl',
      [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-H',
        `cookie: ${partner.cookie}`,
        '-H',
        `x-csrf-token: ${partner.csrf}`,
        '-F',
        `file=@${file};type=application/pdf`,
        `${api.base}/api/support/attachments`,
      ],
      (error, stdout) => (error ? reject(error) : resolve(Number(stdout))),
    ),
  );
}

/**
 * The disk's own rate: 8 writers at once, each 25 MB from memory in 64 KB writes (as a stream
 * writes); with `hash`, each also SHA-256s what it writes, the least a content-addressed store does.
 */
async function rawDiskRate(hash = false): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 7);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const out = createWriteStream(path.join(work, `raw-${i}`));
      const sha = hash ? createHash('sha256') : undefined;
      for (let written = 0; written < fileBytes; written += chunk.length) {
        sha?.update(chunk);
        if (!out.write(chunk)) await once(out, 'drain');
      }
      sha?.digest();
      out.end();
      await once(out, 'finish');
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(Array.from({ length: clients }, (_, i) => rm(path.join(work, `raw-${i}`), { force: true })));
  return (clients * fileBytes) / seconds;
}

process.env.BLOB_DIR = blobDir;
const api = await startApiProcess(pg.url, { readyPath: '/healthz' });
const partner = await api.signIn('partner@acme.test');
const bar = progressBar(`${stepLabel}uploads`);
const rssAtStart = memoryOf(api.pid)?.rss ?? 0;
let peakRss = rssAtStart;
const sampler = setInterval(() => {
  const m = memoryOf(api.pid);
  if (m) peakRss = Math.max(peakRss, m.rss);
}, 50);

const rates: number[] = [];
const rawRates: number[] = [];
const hashedRates: number[] = [];
let refused = 0;
for (let round = 0; round < rounds; round++) {
  const files = await Promise.all(Array.from({ length: clients }, (_, i) => makeFile(round * clients + i)));
  rawRates.push(await rawDiskRate());
  hashedRates.push(await rawDiskRate(true));
  const t0 = performance.now();
  await Promise.all(
    files.map(async (file) => {
      const status = await curlUpload(file);
      if (status !== 201) {
        refused++;
        console.error(`upload of ${path.basename(file)} answered ${status}`);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  rates.push((clients * fileBytes) / seconds);
  await Promise.all(files.map((f) => rm(f, { force: true })));
  bar.update((round + 1) / rounds, `${fmt(rates.at(-1)! / 1048576)} MB/s`);
}
clearInterval(sampler);
bar.done(`${rounds} rounds of ${clients} × ${fmt(fileBytes / 1048576)} MB`);
await api.stop();
await rm(work, { recursive: true, force: true });
await pg.stop();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const uploadRate = median(rates);
const rawRate = median(rawRates);
const hashedRate = median(hashedRates);
const growth = peakRss - rssAtStart;
const result: BenchResult = {
  id: 'uploads',
  title: 'Uploads',
  method:
    `${clients} clients (curl, each a process of its own) each upload a ${fmt(fileBytes / 1048576)} MB file at once (multipart, one request each) to the real server ` +
    `(\`app/main.ts\`, blob store a folder on the same disk, no virus scanner), ${rounds} rounds, every file distinct (seed ${seed}). ` +
    `Beside it, in the same run, the disk's raw rate: ${clients} writers writing ${fmt(fileBytes / 1048576)} MB each at once from memory, ` +
    'and the same with each writer also hashing what it writes (SHA-256: the least a content-addressed store does). ' +
    'The server parses the multipart stream, sniffs the type, hashes and writes each file on its one event loop; curl, Postgres and the server share the 2 cores. ' +
    `The server's RSS is read from /proc every 50 ms during the uploads. Figures are medians over the rounds.`,
  tables: [
    {
      columns: ['measure', 'value'],
      numeric: [1],
      rows: [
        ['uploads, MB/s (all clients together)', fmt(uploadRate / 1048576)],
        ['raw disk writes, MB/s (same run)', fmt(rawRate / 1048576)],
        ['uploads ÷ raw disk writes', ratio(uploadRate, rawRate)],
        ['raw disk writes with SHA-256, MB/s (same run)', fmt(hashedRate / 1048576)],
        ['uploads ÷ raw disk writes with SHA-256', ratio(uploadRate, hashedRate)],
        ['API RSS before the uploads', mb(rssAtStart)],
        ['API peak RSS during the uploads', mb(peakRss)],
        ['peak RSS growth ÷ bytes in flight at once', ratio(growth, clients * fileBytes)],
        ['uploads refused', String(refused)],
      ],
    },
  ],
  targets: [
    {
      name: 'files are streamed: peak RSS growth while 8 × 25 MB arrive at once',
      value: mb(growth),
      target: `< ${mb((clients * fileBytes) / 2)} (half of what holding them would take)`,
      met: growth < (clients * fileBytes) / 2,
    },
    {
      name: 'uploads accepted',
      value: `${rounds * clients - refused} of ${rounds * clients}`,
      target: 'all',
      met: refused === 0,
    },
  ],
  chart: {
    title: `Uploads: ${clients} × 25 MB at once`,
    unit: 'MB/s',
    groups: [
      {
        label: 'throughput',
        bars: [
          { series: 'uploads through the API', value: uploadRate / 1048576 },
          { series: 'raw disk writes', value: rawRate / 1048576 },
          { series: 'raw disk writes + SHA-256', value: hashedRate / 1048576 },
        ],
      },
    ],
  },
  figures: { uploadPeakRss: peakRss },
};
await emit(result);
