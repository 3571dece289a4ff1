import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { createGuestTokenResolver } from '../commands/guestLinks/guestTokenResolver.js';
import { createLogger } from '../platform/logger.js';
import { createUpgradeIdentityResolver, LIVE_PATH, LiveHub } from '../read-api/live/index.js';
import { ProjectorRunner } from '../workers/projectorRunner.js';
import { benchPostgres } from './benchPostgres.js';
import { percentile, startBenchDesk } from './readDesk.js';

/**
 * Command-to-push latency of the live push: a partner posts a message over HTTP; the time
 * until the push carrying it arrives at each of LIVE_BENCH_CLIENTS connected clients
 * (default 200; half staff, half partners of the thread's organisation), measured per client.
 * The clients run in a child process of their own, so the API's event loop is not theirs.
 *
 *   npm run bench:live
 *   LIVE_BENCH_CLIENTS=1000 LIVE_BENCH_ITERATIONS=200 npm run bench:live
 */

/* ------------------------------------------------------------------ the client process */

type ToClients =
  { type: 'connect'; wsUrl: string; cookies: string[]; count: number } | { type: 'expect'; marker: string };
type FromClients =
  { type: 'connected'; count: number } | { type: 'arrivals'; marker: string; times: number[]; missing: number };

const now = () => performance.timeOrigin + performance.now();

async function clientProcess(): Promise<void> {
  const sockets: WebSocket[] = [];
  let marker = '';
  let times: number[] = [];
  let arrived = new Set<number>();
  let timer: NodeJS.Timeout | undefined;
  const report = () => {
    clearTimeout(timer);
    const message: FromClients = { type: 'arrivals', marker, times, missing: sockets.length - arrived.size };
    marker = '';
    process.send!(message);
  };
  process.on('message', async (message: ToClients) => {
    if (message.type === 'connect') {
      for (let i = 0; i < message.count; i++) {
        const index = i;
        const ws = new WebSocket(message.wsUrl, {
          headers: { cookie: message.cookies[i % message.cookies.length]! },
          perMessageDeflate: false,
        });
        ws.on('message', (data) => {
          if (marker && !arrived.has(index) && String(data).includes(marker)) {
            times.push(now());
            arrived.add(index);
            if (arrived.size === sockets.length) report();
          }
        });
        await new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
        sockets.push(ws);
      }
      process.send!({ type: 'connected', count: sockets.length } satisfies FromClients);
    } else {
      marker = message.marker;
      times = [];
      arrived = new Set();
      timer = setTimeout(report, 10_000);
    }
  });
}

/* ------------------------------------------------------------------ the API process */

async function main(): Promise<void> {
  const clients = Number(process.env.LIVE_BENCH_CLIENTS ?? 200);
  const iterations = Number(process.env.LIVE_BENCH_ITERATIONS ?? 200);
  const warmup = 10;
  const pg = await benchPostgres();
  const bench = await startBenchDesk(pg.url);
  const logger = createLogger('silent');
  const projector = new ProjectorRunner({ engine: bench.desk.engine, logger });
  await projector.start();
  const hub = new LiveHub({
    pool: bench.pool,
    databaseUrl: pg.url,
    eventStore: bench.eventStore,
    logger,
    limits: { maxConnections: clients + 100, maxConnectionsPerIdentity: clients + 100 },
    resolveIdentity: createUpgradeIdentityResolver({
      sessions: bench.desk.sessions,
      resolveGuestToken: createGuestTokenResolver(bench.eventStore, () => new Date()),
      allowedOrigins: [],
    }),
  });
  const server = createServer(bench.desk.app);
  hub.attach(server);
  await hub.start();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const partner = await bench.signIn('partner@acme.test');
  const staff = await Promise.all(
    ['agent@demo.test', 'admin@demo.test', 'auditor@demo.test', 'ops@demo.test'].map((e) => bench.signIn(e)),
  );
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: partner.cookie, 'x-csrf-token': partner.csrf },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { threadId: string };
  };
  const { threadId } = await post('/api/support/threads', {
    assignmentId: 'asg-1001',
    queryType: 'OTHER',
    priority: 'MEDIUM',
    subject: 'Live push benchmark',
    body: 'opening message',
  });

  // the durable one-row commit of this machine, for scale (ENVIRONMENT.md: report ratios)
  await bench.pool.query('CREATE TABLE IF NOT EXISTS bench_live_commit (id bigserial PRIMARY KEY, at timestamptz)');
  const commits: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await bench.pool.query('INSERT INTO bench_live_commit (at) VALUES (now())');
    commits.push(performance.now() - t);
  }
  commits.sort((a, b) => a - b);

  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, LIVE_BENCH_ROLE: 'clients' },
    execArgv: process.execArgv,
  });
  const nextMessage = () => new Promise<FromClients>((resolve) => child.once('message', resolve));
  const cookies = Array.from({ length: clients }, (_, i) => (i % 2 ? partner.cookie : staff[i % staff.length]!.cookie));
  child.send({
    type: 'connect',
    wsUrl: `ws://127.0.0.1:${(server.address() as AddressInfo).port}${LIVE_PATH}`,
    cookies,
    count: clients,
  } satisfies ToClients);
  const connected = await nextMessage();
  if (connected.type !== 'connected' || connected.count !== clients) throw new Error('clients failed to connect');
  process.stderr.write(`${clients} clients connected (${JSON.stringify(hub.stats().byKind)})\n`);

  const perClient: number[] = [];
  const lastClient: number[] = [];
  const answers: number[] = [];
  const afterAnswer: number[] = [];
  let missing = 0;
  for (let i = 0; i < iterations + warmup; i++) {
    const marker = `bench-${i}-${Math.random().toString(36).slice(2)}`;
    child.send({ type: 'expect', marker } satisfies ToClients);
    const arrivals = nextMessage();
    const sent = now();
    await post(`/api/support/threads/${threadId}/messages`, { body: `message ${marker}` });
    const answered = now();
    const result = await arrivals;
    if (result.type !== 'arrivals') throw new Error('unexpected message from the clients');
    if (i < warmup) continue;
    missing += result.missing;
    answers.push(answered - sent);
    for (const t of result.times) {
      perClient.push(t - sent);
      afterAnswer.push(t - answered);
    }
    lastClient.push(Math.max(...result.times) - sent);
    if (i % 20 === 0) process.stderr.write(`\r\x1b[2K${i - warmup + 1}/${iterations} commands`);
  }
  process.stderr.write('\r\x1b[2K');
  for (const list of [perClient, lastClient, answers, afterAnswer]) list.sort((a, b) => a - b);
  const row = (name: string, list: number[]) =>
    `| ${name} | ${percentile(list, 50).toFixed(1)} | ${percentile(list, 99).toFixed(1)} |`;
  const commitMedian = percentile(commits, 50);
  console.log(
    `\nLive push: command-to-push latency, ${clients} connected clients (half staff, half partners), ${iterations} commands, one at a time\n`,
  );
  console.log('| measure | median ms | p99 ms |');
  console.log('|---|---:|---:|');
  console.log(row('command over HTTP → push at a client (every client)', perClient));
  console.log(row('command over HTTP → push at the last of the clients', lastClient));
  console.log(row('HTTP answer of the command', answers));
  console.log(row('HTTP answer → push at a client', afterAnswer));
  console.log(row('durable one-row commit (this machine, same run)', commits));
  console.log(
    `\nMedian command-to-push is ${(percentile(perClient, 50) / commitMedian).toFixed(1)}× a durable one-row commit; ` +
      `${missing} pushes missing; hub: ${JSON.stringify({ ...hub.stats(), refusedUpgrades: undefined })}`,
  );

  child.kill();
  await hub.close();
  await projector.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await bench.stop();
  await pg.stop();
}

if (process.env.LIVE_BENCH_ROLE === 'clients') await clientProcess();
else await main();
