import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/logger.js';

function capture(terminal: boolean) {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const logger = createLogger('info', 'support-desk', { terminal, stream });
  return { logger, text: () => text };
}

describe('logs', () => {
  it('when stdout is not a terminal, then each line is JSON, with secrets redacted', () => {
    const { logger, text } = capture(false);
    logger.info({ password: 'hunter22', thread: 't-1' }, 'reply sent');
    const line = JSON.parse(text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'reply sent', thread: 't-1', password: '[redacted]', level: 30 });
  });

  it('when stdout is a terminal, then lines are readable (not JSON), with secrets redacted', () => {
    const { logger, text } = capture(true);
    logger.info({ password: 'hunter22', thread: 't-1' }, 'reply sent');
    const out = text();
    expect(() => JSON.parse(out.trim())).toThrow();
    expect(out).toMatch(/INFO.*reply sent/);
    expect(out).toContain('thread: "t-1"');
    expect(out).toContain('[redacted]');
    expect(out).not.toContain('hunter22');
  });
});
