import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Guest tokens. A token is 256 bits, URL-safe (43 base64url characters); only its SHA-256 (the
 * link id) is ever stored, and a request's token is checked by hashing it and reading that
 * link's stream — no secret is needed to check one.
 *
 * Links issued since docs/decisions/0005 derive their token from a random seed and the server's
 * guest link secret: token = HMAC-SHA256(secret, seed). The seed is in the GuestLinkIssued
 * event (useless without the secret), so the email worker, which works from events, can rebuild
 * the token of a link that still works and email it to its recipient. Links issued before carry
 * no seed: their random token keeps working by its hash, but no email can carry it.
 */

/** Where a minted token came from: the seed is recorded, the token shown once and emailed. */
export interface MintedGuestToken {
  token: string;
  tokenHash: string;
  /** Absent for a random token (no secret to derive one from). */
  tokenSeed?: string;
}

const SEED_BYTES = 16;
const DERIVATION_LABEL = 'support-desk guest link token v1\n';

export function hashGuestToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The shape of a token we issued (43 base64url characters); anything else is refused unread. */
export function looksLikeGuestToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

/** The shape of a recorded seed (16 bytes, base64url). */
export const tokenSeedPattern = /^[A-Za-z0-9_-]{22}$/;

/** 256 bits of randomness, URL-safe, derived from nothing: its hash is all that is kept. */
export function newGuestToken(): MintedGuestToken {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashGuestToken(token) };
}

export function deriveGuestToken(secret: string, seed: string): string {
  return createHmac('sha256', secret).update(DERIVATION_LABEL).update(seed).digest('base64url');
}

/**
 * Mints tokens from the guest link secret and rebuilds them for email. `secrets[0]` mints; the
 * others (a previous secret, during a rotation) only rebuild. A rebuilt token is answered only
 * when its hash is the link id: a wrong or rotated secret never yields a token that does not work.
 */
export class GuestTokens {
  private readonly secrets: readonly string[];

  constructor(secrets: readonly (string | undefined)[]) {
    this.secrets = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
    if (this.secrets.length === 0) throw new Error('guest tokens need a secret');
  }

  mint(): MintedGuestToken {
    const tokenSeed = randomBytes(SEED_BYTES).toString('base64url');
    const token = deriveGuestToken(this.secrets[0]!, tokenSeed);
    return { token, tokenHash: hashGuestToken(token), tokenSeed };
  }

  /** The raw token of the link `tokenHash` issued with `tokenSeed`, or undefined when no secret here made it. */
  rebuild(tokenSeed: string, tokenHash: string): string | undefined {
    if (!tokenSeedPattern.test(tokenSeed) || !/^[0-9a-f]{64}$/.test(tokenHash)) return undefined;
    const expected = Buffer.from(tokenHash, 'hex');
    for (const secret of this.secrets) {
      const token = deriveGuestToken(secret, tokenSeed);
      if (timingSafeEqual(Buffer.from(hashGuestToken(token), 'hex'), expected)) return token;
    }
    return undefined;
  }
}
