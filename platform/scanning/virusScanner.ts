import type { Readable } from 'node:stream';

/**
 * The virus scanner port: what the scan worker asks of whatever scans the bytes of attachments.
 * One adapter, clamd (`clamdScanner.ts`). A verdict is about the bytes; a scanner that cannot be
 * asked (down, unreachable, timed out) throws `ScannerUnavailableError` instead, and the bytes are
 * asked about again later.
 */
export type ScanVerdict =
  | { status: 'clean' }
  /** `signature`: the scanner's name for what it found (clamd's `Win.Test.EICAR_HDB-1`). */
  | { status: 'infected'; signature: string }
  /** The scanner refused the bytes (past its size limit, say): they are never served. */
  | { status: 'unscannable'; reason: string };

export interface VirusScanner {
  /** Names the scanner in logs: "clamd tcp://127.0.0.1:3310". */
  readonly name: string;
  /** The scanner's own version line (clamd: `ClamAV 1.4.6/27000/…`), recorded with each verdict. */
  version(): Promise<string>;
  /** Streams `source` to the scanner; the source is consumed (or destroyed on failure). */
  scan(source: Readable): Promise<ScanVerdict>;
}

/** The scanner could not be asked: try again later. Carries the underlying error as `cause`. */
export class ScannerUnavailableError extends Error {
  readonly retryable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScannerUnavailableError';
  }
}
