import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

const redact = {
  paths: [
    'password',
    'token',
    '*.password',
    '*.token',
    'req.headers.authorization',
    'req.headers.cookie',
    'headers.authorization',
    'headers.cookie',
    'connectionString',
    'RESEND_API_KEY',
    '*.RESEND_API_KEY',
    'AUDIT_SEAL_KEY',
    '*.AUDIT_SEAL_KEY',
    'JWT_SECRET',
    '*.JWT_SECRET',
    'GUEST_LINK_SECRET',
    '*.GUEST_LINK_SECRET',
    'GUEST_LINK_SECRET_PREVIOUS',
    '*.GUEST_LINK_SECRET_PREVIOUS',
    'RESEND_WEBHOOK_SECRET',
    '*.RESEND_WEBHOOK_SECRET',
    'guestToken',
    '*.guestToken',
  ],
  censor: '[redacted]',
};

/**
 * Structured JSON logs; for a person at a terminal (stdout is a TTY), the same lines printed
 * readably by pino-pretty, synchronously, so nothing is lost when the process exits. Fields that
 * could carry secrets are redacted wherever they appear, in both.
 */
export function createLogger(
  level: string,
  name = 'support-desk',
  target: { terminal?: boolean; stream?: NodeJS.WritableStream } = {},
): Logger {
  const options = { name, level, redact };
  const terminal = target.terminal ?? process.stdout.isTTY === true;
  if (terminal) {
    return pino(
      options,
      pretty({
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
        colorize: !target.stream,
        ...(target.stream ? { destination: target.stream } : {}),
      }),
    );
  }
  return target.stream ? pino(options, target.stream) : pino(options);
}
