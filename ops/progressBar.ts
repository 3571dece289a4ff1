/** A one-line progress bar on stderr (plain lines when stderr is not a terminal). */
export function progressBar(label: string) {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  return {
    update(fraction: number, detail = '') {
      const f = Math.max(0, Math.min(1, fraction));
      const width = 30;
      const filled = Math.round(f * width);
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(f * 100).toFixed(1).padStart(5)}% ${detail}`;
      if (tty) process.stderr.write(`\r\x1b[2K${line}`);
      else if (Date.now() - lastLine > 2000 || f >= 1) {
        lastLine = Date.now();
        process.stderr.write(`${line}\n`);
      }
    },
    done(detail = '') {
      this.update(1, detail);
      if (tty) process.stderr.write('\n');
    },
  };
}

export const formatEta = (seconds: number | null): string =>
  seconds === null
    ? 'ETA ?'
    : seconds < 60
      ? `ETA ${Math.ceil(seconds)}s`
      : `ETA ${Math.floor(seconds / 60)}m${Math.ceil(seconds % 60)}s`;

/** "1,200/5,000" (or "1,200" when the total is not known). */
export const countOf = (processed: number, total: number | null): string =>
  `${processed.toLocaleString('en-US')}${total === null ? '' : `/${total.toLocaleString('en-US')}`}`;
