import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface OverloadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface OverloadReport {
  requests: number;
  /** Answers by status code. */
  statuses: Record<string, number>;
  /** Problem codes of the 5xx answers (overloaded, timeout, unavailable…). */
  serverErrorCodes: Record<string, number>;
  /** Requests that got no answer: connection refused or reset, or no answer within the client timeout. */
  resets: number;
  /** The error codes of those (ECONNRESET, ECONNREFUSED, EPIPE...). */
  resetCodes: Record<string, number>;
  clientTimeouts: number;
  shedWithoutRetryAfter: number;
  /** Latency of shed answers (429/503), ms. */
  shedLatencyP50: number;
  shedLatencyP99: number;
  okLatencyP50: number;
  okLatencyP99: number;
  maxInFlight: number;
  idleSocketsOpened: number;
  idleSocketsClosedByServer: number;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
}

/**
 * Far more than the server can serve, from one process: `concurrency` request loops over
 * keep-alive sockets (each sends its next request as soon as the last one is answered) and
 * `idleSockets` connections that connect and send nothing, for `durationMs`.
 */
export async function overload(options: {
  base: string;
  concurrency: number;
  idleSockets: number;
  durationMs: number;
  clientTimeoutMs: number;
  pick: (i: number) => OverloadRequest;
}): Promise<OverloadReport> {
  const url = new URL(options.base);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  const report: OverloadReport = {
    requests: 0,
    statuses: {},
    serverErrorCodes: {},
    resets: 0,
    resetCodes: {},
    clientTimeouts: 0,
    shedWithoutRetryAfter: 0,
    shedLatencyP50: 0,
    shedLatencyP99: 0,
    okLatencyP50: 0,
    okLatencyP99: 0,
    maxInFlight: 0,
    idleSocketsOpened: 0,
    idleSocketsClosedByServer: 0,
  };
  const shedLatency: number[] = [];
  const okLatency: number[] = [];
  let inFlight = 0;
  const reset = (error: NodeJS.ErrnoException) => {
    report.resets++;
    const code = error.code ?? error.message.slice(0, 40);
    report.resetCodes[code] = (report.resetCodes[code] ?? 0) + 1;
  };

  const idle: Socket[] = [];
  await Promise.all(
    Array.from(
      { length: options.idleSockets },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
            report.idleSocketsOpened++;
            resolve();
          });
          socket.on('error', () => resolve());
          socket.on('close', () => {
            if (!closing) report.idleSocketsClosedByServer++;
          });
          idle.push(socket);
        }),
    ),
  );
  let closing = false;

  const deadline = Date.now() + options.durationMs;
  const one = (req: OverloadRequest) =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      inFlight++;
      report.maxInFlight = Math.max(report.maxInFlight, inFlight);
      report.requests++;
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        inFlight--;
        fn();
        resolve();
      };
      const r = request(
        {
          host: url.hostname,
          port: url.port,
          method: req.method,
          path: req.path,
          agent,
          headers: {
            ...req.headers,
            ...(req.body !== undefined
              ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(req.body)) }
              : {}),
          },
          timeout: options.clientTimeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            if ((res.statusCode ?? 0) >= 500) chunks.push(c);
          });
          res.on('end', () =>
            finish(() => {
              const ms = performance.now() - started;
              const status = res.statusCode ?? 0;
              if (status >= 500) {
                let code = 'unknown';
                try {
                  code = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: string }).code);
                } catch {
                  // not a problem body
                }
                report.serverErrorCodes[`${status} ${code}`] = (report.serverErrorCodes[`${status} ${code}`] ?? 0) + 1;
              }
              report.statuses[status] = (report.statuses[status] ?? 0) + 1;
              if (status === 429 || status === 503) {
                shedLatency.push(ms);
                if (!res.headers['retry-after']) report.shedWithoutRetryAfter++;
              } else if (status < 400) okLatency.push(ms);
            }),
          );
          res.on('error', (error) => finish(() => reset(error)));
        },
      );
      r.on('timeout', () => {
        finish(() => report.clientTimeouts++);
        r.destroy();
      });
      r.on('error', (error) => finish(() => reset(error)));
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });

  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, i) => {
      let n = 0;
      while (Date.now() < deadline) await one(options.pick(i * 1_000_003 + n++));
    }),
  );
  closing = true;
  for (const socket of idle) socket.destroy();
  agent.destroy();
  report.shedLatencyP50 = percentile(shedLatency, 50);
  report.shedLatencyP99 = percentile(shedLatency, 99);
  report.okLatencyP50 = percentile(okLatency, 50);
  report.okLatencyP99 = percentile(okLatency, 99);
  return report;
}
