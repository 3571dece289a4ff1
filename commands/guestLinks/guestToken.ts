import { createHash, randomBytes } from 'node:crypto';

/** 256 bits of randomness, URL-safe. Shown once, at issue; only its hash is kept anywhere. */
export function newGuestToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashGuestToken(token) };
}

export function hashGuestToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The shape of a token we issued (43 base64url characters); anything else is refused unread. */
export function looksLikeGuestToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
