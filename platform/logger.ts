import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs. Fields that could carry secrets are redacted wherever they appear. */
export function createLogger(level: string, name = 'support-desk'): Logger {
  return pino({
    name,
    level,
    redact: {
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
      ],
      censor: '[redacted]',
    },
  });
}
