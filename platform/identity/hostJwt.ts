import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { problems } from '../http/problem.js';
import type { Identity } from './identity.js';

/**
 * Bearer JWTs issued by the host platform. HS256 with a shared secret, and/or asymmetric
 * (RS*, PS*, ES*, EdDSA) with the keys of a JWKS URL. The token's `alg` picks the key:
 * HS256 → the secret, anything else → the JWKS. `exp` is required.
 */

/** Environment variables of the identity layer; merge `.shape` into app/config.ts. */
export const identityConfigSchema = z.object({
  /** Shared secret for HS256 host tokens (at least 32 characters). */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** JWKS URL of the host platform for RS/PS/ES/EdDSA host tokens. */
  JWT_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** When set, the `iss` claim must equal it. */
  JWT_ISSUER: z.string().min(1).optional(),
  /** When set, the `aud` claim must contain it. */
  JWT_AUDIENCE: z.string().min(1).optional(),
  /** Lifetime of a browser session (sign-in) in seconds. */
  SESSION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(12 * 3600),
  /**
   * How long one process answers a session from memory instead of the database (0: never).
   * Sign-out in the same process is immediate; a sign-out, password reset or disabled account
   * reaches other API processes by NOTIFY at once, and within this time should it be lost.
   */
  SESSION_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  /** Secure flag on the session cookies. Default: on when NODE_ENV=production. */
  COOKIE_SECURE: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
  /** Comma-separated origins (scheme://host[:port]) besides the API's own that may send cookie-authenticated writes. */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ }))),
});

export type IdentityConfig = z.infer<typeof identityConfigSchema>;

export interface HostJwtOptions {
  /** HS256 shared secret. */
  secret?: string;
  /** JWKS URL for asymmetric tokens. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** Clock skew allowed on exp/nbf/iat, in seconds. Default 30. */
  clockToleranceSeconds?: number;
  /** Timeout of one JWKS fetch, in milliseconds. Default 5000. */
  jwksTimeoutMs?: number;
}

/** The verifier options from config, or undefined when neither JWT_SECRET nor JWT_JWKS_URL is set. */
export function hostJwtOptionsFromConfig(config: {
  JWT_SECRET?: string | undefined;
  JWT_JWKS_URL?: string | undefined;
  JWT_ISSUER?: string | undefined;
  JWT_AUDIENCE?: string | undefined;
}): HostJwtOptions | undefined {
  if (!config.JWT_SECRET && !config.JWT_JWKS_URL) return undefined;
  return {
    ...(config.JWT_SECRET ? { secret: config.JWT_SECRET } : {}),
    ...(config.JWT_JWKS_URL ? { jwksUrl: config.JWT_JWKS_URL } : {}),
    ...(config.JWT_ISSUER ? { issuer: config.JWT_ISSUER } : {}),
    ...(config.JWT_AUDIENCE ? { audience: config.JWT_AUDIENCE } : {}),
  };
}

export type HostJwtVerifier = (token: string) => Promise<Identity>;

/** Roles a host token may carry, in priority order (for a `roles` array, the first one present wins). */
export const hostTokenRoles = ['admin', 'agent', 'auditor', 'ops', 'partner', 'host'] as const;
type HostTokenRole = (typeof hostTokenRoles)[number];

const asymmetricAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

const MAX_TOKEN_LENGTH = 8192;

function isHostTokenRole(value: unknown): value is HostTokenRole {
  return typeof value === 'string' && (hostTokenRoles as readonly string[]).includes(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Our own refusal inside the key lookup, carried through jose untouched. */
class Refusal extends Error {}

function refuse(detail: string): never {
  throw problems.unauthorized(detail);
}

function roleFromClaims(payload: JWTPayload): HostTokenRole {
  if (isHostTokenRole(payload.role)) return payload.role;
  const list = payload.roles;
  if (Array.isArray(list)) {
    const found = hostTokenRoles.find((role) => list.includes(role));
    if (found) return found;
  }
  if (payload.role !== undefined || list !== undefined) {
    refuse(`the token carries no known role (role or roles claim: one of ${hostTokenRoles.join(', ')})`);
  }
  return refuse('the token has no role claim');
}

/** Maps verified claims to an Identity; refuses (401) what does not describe a known caller. */
export function identityFromClaims(payload: JWTPayload): Identity {
  const subject = nonEmptyString(payload.sub);
  if (!subject) refuse('the token has no sub claim');
  const role = roleFromClaims(payload);
  const name = nonEmptyString(payload.name) ?? subject;
  const email = nonEmptyString(payload.email) ?? '';
  switch (role) {
    case 'host':
      return { kind: 'host', role: 'host', subject };
    case 'partner': {
      const org = nonEmptyString(payload.org);
      if (!org) refuse('a partner token needs an org claim');
      return { kind: 'partner', role: 'partner', accountId: subject, partnerOrgId: org, name, email, via: 'jwt' };
    }
    default:
      return { kind: 'staff', role, accountId: subject, name, email, via: 'jwt' };
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof Refusal) return error.message;
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'exp' && error.reason === 'missing') return 'the token has no exp claim';
    if (error.claim === 'nbf') return 'the token is not valid yet';
    return `the token's ${error.claim} claim is not accepted`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token algorithm is not accepted';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the host platform matches the token';
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'several keys of the host platform match the token';
  if (error instanceof errors.JWKSTimeout) return 'the keys of the host platform could not be fetched in time';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'the token is malformed';
  if (error instanceof errors.JOSENotSupported) return 'the token uses an unsupported algorithm or key';
  if (error instanceof errors.JWKSInvalid) return 'the keys of the host platform are not a valid JWKS';
  if (error instanceof errors.JOSEError || error instanceof TypeError) {
    return 'the keys of the host platform could not be fetched';
  }
  return 'the token could not be verified';
}

/**
 * A verifier of host platform tokens. It answers the caller's Identity, or throws
 * problems.unauthorized() naming the reason (never echoing the token).
 */
export function createHostJwtVerifier(options: HostJwtOptions): HostJwtVerifier {
  if (!options.secret && !options.jwksUrl) throw new Error('a host JWT verifier needs a secret or a JWKS URL');
  if (options.secret !== undefined && options.secret.length < 32) {
    throw new Error('the host JWT secret must be at least 32 characters');
  }
  const secret = options.secret ? new TextEncoder().encode(options.secret) : undefined;
  const jwks = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: options.jwksTimeoutMs ?? 5000 })
    : undefined;
  const algorithms = [...(secret ? ['HS256'] : []), ...(jwks ? asymmetricAlgorithms : [])];

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === 'HS256') {
      if (!secret) throw new Refusal('HS256 tokens are not accepted (no shared secret is configured)');
      return secret;
    }
    if (!jwks) throw new Refusal('only HS256 tokens are accepted (no JWKS URL is configured)');
    return jwks(header, token);
  };

  return async (token: string): Promise<Identity> => {
    if (!token || token.length > MAX_TOKEN_LENGTH) refuse('the token is malformed');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        algorithms,
        requiredClaims: ['exp'],
        clockTolerance: options.clockToleranceSeconds ?? 30,
        ...(options.issuer ? { issuer: options.issuer } : {}),
        ...(options.audience ? { audience: options.audience } : {}),
      }));
    } catch (error) {
      throw problems.unauthorized(describeFailure(error));
    }
    return identityFromClaims(payload);
  };
}
