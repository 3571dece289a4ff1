import { z } from 'zod';
import { attachmentConfigSchema } from '../platform/attachments/attachmentConfig.js';
import { blobStoreConfigSchema } from '../platform/blobs/blobStoreConfig.js';
import { emailConfigSchema } from '../workers/email/emailConfig.js';
import { inboundEmailConfigSchema } from '../workers/email/inbound/inboundEmailConfig.js';
import { compileTrustProxy } from '../platform/http/clientAddress.js';
import { identityConfigSchema } from '../platform/identity/hostJwt.js';

const port = z.coerce.number().int().min(1).max(65535);

/** Every environment variable the desk reads. Parsed once at start; a bad value stops the process. */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: port.default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    /**
     * Which peers' X-Forwarded-For to believe, as express's `trust proxy` takes it: addresses,
     * CIDRs or `loopback` (comma-separated), a hop count, or `true`. Unset: nobody (the socket's address).
     */
    TRUST_PROXY: z
      .string()
      .trim()
      .optional()
      .superRefine((value, ctx) => {
        try {
          compileTrustProxy(value);
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            message: `${(error as Error).message}; use addresses, CIDRs, loopback, linklocal, uniquelocal, a hop count or true`,
          });
        }
      }),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
    // unset: .data/postgres in the checkout (or a folder of the desk's own, see defaultDataDir)
    EMBEDDED_PG_DIR: z.string().min(1).optional(),
    EMBEDDED_PG_PORT: port.default(54329),
    EVENT_STORE: z.enum(['postgres', 'kurrentdb']).default('postgres'),
    KURRENTDB_URL: z.string().startsWith('kurrentdb').or(z.string().startsWith('esdb')).optional(),
    ...identityConfigSchema.shape,
    ...emailConfigSchema.shape,
    ...inboundEmailConfigSchema.shape,
    ...blobStoreConfigSchema.shape,
    ...attachmentConfigSchema.shape,
    /** Signs hash-chain seals; keep it outside the database (a secret store). Unset: a key file beside the embedded data. */
    AUDIT_SEAL_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * Guest link tokens are derived from it, so emails can carry a link without storing its token;
     * the same on every API and email process. Unset: a key file beside the embedded data.
     */
    GUEST_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** The secret before the last rotation: email still rebuilds the links it issued. */
    GUEST_LINK_SECRET_PREVIOUS: z.string().min(32, 'must be at least 32 characters').optional(),
    SEAL_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    /** How often the service-level scheduler looks for warnings and breaches due (in the projector role). */
    SLA_SCHEDULER_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
    /** Events per projection batch (one transaction each). */
    PROJECTION_BATCH_SIZE: z.coerce.number().int().min(1).max(20_000).default(2000),
    /** Events per batch while a rebuild catches up (at least PROJECTION_BATCH_SIZE). */
    PROJECTION_REBUILD_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(10_000),
    /** Connections a rebuild writes each batch on at once (projections keyed by thread or email). */
    PROJECTION_REBUILD_WRITERS: z.coerce.number().int().min(1).max(16).default(2),
    /** Seed demo accounts and assignments at start (on by default on the embedded database). */
    SEED_DEMO: z.enum(['auto', 'true', 'false']).default('auto'),
  })
  .superRefine((config, ctx) => {
    if (config.EVENT_STORE === 'kurrentdb' && !config.KURRENTDB_URL) {
      ctx.addIssue({ code: 'custom', path: ['KURRENTDB_URL'], message: 'is required when EVENT_STORE=kurrentdb' });
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // an empty variable (`JWT_SECRET=` in an env file) means "not set"
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return parsed.data;
}

/** The names the schema knows, for checks of deployment files. */
export const configKeys = Object.keys(configSchema.shape) as (keyof Config)[];
