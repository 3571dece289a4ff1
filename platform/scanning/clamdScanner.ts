import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { ScannerUnavailableError, type ScanVerdict, type VirusScanner } from './virusScanner.js';

/**
 * ClamAV's daemon, clamd, over its socket protocol (clamd(8)): one connection per command, each
 * command sent as `z<COMMAND>\0`, so clamd ends its answer with a NUL too.
 *
 * A scan is `zINSTREAM\0` followed by the bytes in chunks, each prefixed by its length as a 4-byte
 * big-endian unsigned integer, and a zero-length chunk to end; clamd answers `stream: OK`,
 * `stream: <signature> FOUND`, or, past its `StreamMaxLength`, `INSTREAM size limit exceeded.
 * ERROR` (and closes the connection, which may be before it has read all that was sent). The
 * bytes are pulled from the source one piece at a time and the next is read only when the socket
 * has taken the last (back-pressure): a file is never whole in memory.
 */

export type ClamdAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export interface ClamdScannerOptions {
  address: ClamdAddress;
  /** How long a connection may take to open. Default 5 s. */
  connectTimeoutMs?: number | undefined;
  /** How long clamd may neither take data nor answer (a scan of a large archive takes a while). Default 60 s. */
  idleTimeoutMs?: number | undefined;
  /** The largest chunk sent at once. Default 64 KiB. */
  chunkBytes?: number | undefined;
}

/** clamd's answers are short lines: more than this without a NUL is not clamd. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The sending side stops: the conversation has ended (answered, failed or timed out) under it. */
class ConversationOver extends Error {}

/** clamd reset the connection while it was being sent to, and sent no answer. */
class CutOff extends ScannerUnavailableError {}

export class ClamdScanner implements VirusScanner {
  readonly name: string;
  private readonly connectTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly chunkBytes: number;

  constructor(private readonly options: ClamdScannerOptions) {
    this.name = `clamd ${describeAddress(options.address)}`;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.chunkBytes = options.chunkBytes ?? 64 * 1024;
  }

  /** Resolves when clamd answers PONG; throws `ScannerUnavailableError` otherwise. */
  async ping(): Promise<void> {
    const answer = await this.converse((send) => send(Buffer.from('zPING\0')));
    if (answer !== 'PONG') throw new ScannerUnavailableError(`${this.name} answered PING with "${clip(answer)}"`);
  }

  /** clamd's version line: program, database version and date (`ClamAV 1.4.6/27000/Tue Dec  1 …`). */
  async version(): Promise<string> {
    const answer = await this.converse((send) => send(Buffer.from('zVERSION\0')));
    if (!answer.startsWith('ClamAV ')) {
      throw new ScannerUnavailableError(`${this.name} answered VERSION with "${clip(answer)}"`);
    }
    return answer;
  }

  async scan(source: Readable): Promise<ScanVerdict> {
    let sentBytes = 0;
    try {
      const answer = await this.converse(async (send) => {
        await send(Buffer.from('zINSTREAM\0'));
        for await (const piece of source) {
          const bytes = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as string);
          for (let offset = 0; offset < bytes.length; offset += this.chunkBytes) {
            const chunk = bytes.subarray(offset, offset + this.chunkBytes);
            const length = Buffer.alloc(4);
            length.writeUInt32BE(chunk.length);
            await send(Buffer.concat([length, chunk]));
            sentBytes += chunk.length;
          }
        }
        await send(Buffer.alloc(4));
      });
      return verdictOfAnswer(this.name, answer);
    } catch (error) {
      // Past its StreamMaxLength clamd answers and closes at once, with the rest of the stream
      // unread, so the close is a reset, and the answer may be lost with it (a known clamd
      // behaviour). A clamd that answers PING right after did not die: it refused this stream.
      if (!(error instanceof CutOff) || sentBytes === 0) throw error;
      await this.ping().catch(() => {
        throw error;
      });
      return {
        status: 'unscannable',
        reason: `the scanner closed the connection after ${sentBytes} bytes (past its StreamMaxLength)`,
      };
    } finally {
      // whatever became of the conversation, the source is not read any further
      if (!source.destroyed) source.destroy();
    }
  }

  /**
   * One connection: `talk` sends through `send` (which waits while the socket's buffer is full),
   * and the answer is clamd's first NUL-terminated reply, or all it sent before closing.
   */
  private converse(talk: (send: (data: Buffer) => Promise<void>) => Promise<void>): Promise<string> {
    const { address } = this.options;
    return new Promise<string>((resolve, reject) => {
      const socket: Socket =
        address.kind === 'tcp' ? connect({ host: address.host, port: address.port }) : connect({ path: address.path });
      const received: Buffer[] = [];
      let receivedBytes = 0;
      let socketError: Error | undefined;
      let settled = false;
      let talking = false;
      const waiting = new Set<() => void>();

      const settle = (outcome: { answer: string } | { error: Error }) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        socket.destroy();
        for (const wake of waiting) wake();
        waiting.clear();
        if ('answer' in outcome) resolve(outcome.answer);
        else reject(outcome.error);
      };
      const unavailable = (message: string, cause?: unknown) =>
        settle({ error: new ScannerUnavailableError(`${this.name}: ${message}`, { cause }) });

      const connectTimer = setTimeout(
        () => unavailable(`no connection within ${this.connectTimeoutMs} ms`),
        this.connectTimeoutMs,
      );
      socket.setTimeout(this.idleTimeoutMs, () =>
        unavailable(`neither took data nor answered for ${this.idleTimeoutMs} ms`),
      );

      socket.on('data', (data: Buffer) => {
        received.push(data);
        receivedBytes += data.length;
        const all = Buffer.concat(received);
        const end = all.indexOf(0);
        if (end >= 0) settle({ answer: all.subarray(0, end).toString('utf8').trim() });
        else if (receivedBytes > MAX_ANSWER_BYTES) unavailable(`sent ${receivedBytes} bytes without ending its answer`);
      });
      // a write may fail once clamd has answered and closed (past its size limit): the answer, if
      // it came, still counts, so the outcome is decided when the socket has closed
      socket.on('error', (error) => {
        socketError ??= error;
      });
      socket.on('close', () => {
        const answer = Buffer.concat(received).toString('utf8').replace(/\0+$/, '').trim();
        const code = (socketError as NodeJS.ErrnoException | undefined)?.code;
        if (answer !== '') settle({ answer });
        else if (talking && (code === 'EPIPE' || code === 'ECONNRESET')) {
          settle({ error: new CutOff(`${this.name}: ${code} while sending, no answer`, { cause: socketError }) });
        } else unavailable(socketError ? socketError.message : 'closed the connection without an answer', socketError);
      });

      const send = async (data: Buffer) => {
        // an answer already received is read first: once clamd has answered and closed (past its
        // size limit), a write fails with EPIPE, and a socket that failed a write reads no more
        await new Promise((turn) => setImmediate(turn));
        await new Promise<void>((sent, stopped) => {
          if (settled || socket.destroyed) {
            stopped(new ConversationOver());
            return;
          }
          if (socket.write(data)) {
            sent();
            return;
          }
          const wake = () => {
            socket.off('drain', wake);
            waiting.delete(wake);
            if (settled || socket.destroyed) stopped(new ConversationOver());
            else sent();
          };
          waiting.add(wake);
          socket.on('drain', wake);
        });
      };

      socket.once('connect', () => {
        clearTimeout(connectTimer);
        talking = true;
        talk(send).catch((error: unknown) => {
          if (error instanceof ConversationOver) return;
          // the source failed (a blob store read): that is not the scanner's fault, and not a verdict
          settle({ error: error instanceof Error ? error : new Error(String(error)) });
        });
      });
    });
  }
}

/** What an INSTREAM answer means. Anything not understood is treated as the scanner failing. */
export function verdictOfAnswer(scannerName: string, answer: string): ScanVerdict {
  if (answer === 'stream: OK') return { status: 'clean' };
  const found = /^stream: (.+) FOUND$/.exec(answer);
  if (found?.[1]) return { status: 'infected', signature: found[1] };
  if (/^INSTREAM size limit exceeded/.test(answer)) {
    return { status: 'unscannable', reason: `larger than the scanner's StreamMaxLength (${answer})` };
  }
  // clamd could not scan these bytes (their own fault, not the daemon's): trying again will not help
  const refused = /^stream: (.+) ERROR$/.exec(answer);
  if (refused?.[1]) return { status: 'unscannable', reason: `the scanner refused it: ${refused[1]}` };
  throw new ScannerUnavailableError(`${scannerName} answered "${clip(answer)}"`);
}

/**
 * A scanner for `CLAMD_URL`: `tcp://host:port` or `unix:/path/to/clamd.ctl` (`unix:///path` too).
 */
export function clamdScannerFromUrl(url: string, options: Omit<ClamdScannerOptions, 'address'> = {}): ClamdScanner {
  return new ClamdScanner({ ...options, address: parseClamdUrl(url) });
}

export function parseClamdUrl(url: string): ClamdAddress {
  if (url.startsWith('unix:')) {
    const path = url.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path.startsWith('/'))
      throw new Error(`CLAMD_URL ${url}: a unix socket needs an absolute path (unix:/run/clamav/clamd.ctl)`);
    return { kind: 'unix', path };
  }
  const tcp = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]+):(\d{1,5})\/?$/.exec(url);
  const port = Number(tcp?.[2]);
  if (!tcp?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`CLAMD_URL ${url}: expected tcp://host:port or unix:/path/to/clamd.ctl`);
  }
  return { kind: 'tcp', host: tcp[1].replace(/^\[|\]$/g, ''), port };
}

function describeAddress(address: ClamdAddress): string {
  return address.kind === 'tcp' ? `tcp://${address.host}:${address.port}` : `unix:${address.path}`;
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
