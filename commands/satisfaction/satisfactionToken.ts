import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hashGuestToken, tokenSeedPattern } from '../guestLinks/guestToken.js';

/*
 * Satisfaction survey tokens, made the way guest link tokens are (docs/decisions/0005): a random
 * seed, the token HMAC-SHA256(guest link secret, seed), and only the seed and the token's SHA-256
 * in the event, so the email worker rebuilds the token when it sends the survey.
 *
 * Unlike a guest link, a survey has no stream of its own: it lives on its thread. So the token
 * starts with the thread's id (22 base64url characters, the UUID's 16 bytes) and goes on with the
 * 256-bit secret part (43 characters): the API reads that one thread's stream and finds the survey
 * whose token hash matches, with no lookup table. The thread id opens nothing by itself, and the
 * derivation label differs from a guest link's, so a survey token can never be a guest token.
 */

const SEED_BYTES = 16;
const DERIVATION_LABEL = 'support-desk satisfaction survey token v1\n';
const THREAD_PART = 22;

export interface MintedSurveyToken {
  token: string;
  tokenHash: string;
  tokenSeed: string;
}

/** The shape of a survey token (65 base64url characters); anything else is refused unread. */
export function looksLikeSurveyToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{65}$/.test(token);
}

export const hashSurveyToken = hashGuestToken;

function threadPart(threadId: string): string {
  return Buffer.from(threadId.replace(/-/g, ''), 'hex').toString('base64url');
}

/** The thread a survey token names (a UUID), or undefined when the token is not shaped like one. */
export function threadIdOfSurveyToken(token: string): string | undefined {
  if (!looksLikeSurveyToken(token)) return undefined;
  const bytes = Buffer.from(token.slice(0, THREAD_PART), 'base64url');
  if (bytes.length !== 16) return undefined;
  const hex = bytes.toString('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  // the characters must be the canonical spelling of those bytes, so one thread has one spelling
  return threadPart(uuid) === token.slice(0, THREAD_PART) ? uuid : undefined;
}

function derive(secret: string, threadId: string, seed: string): string {
  const secretPart = createHmac('sha256', secret)
    .update(DERIVATION_LABEL)
    .update(`${threadId.toLowerCase()}\n${seed}`)
    .digest('base64url');
  return `${threadPart(threadId)}${secretPart}`;
}

/**
 * Mints survey tokens from the guest link secret and rebuilds them for email. `secrets[0]` mints;
 * the others (a previous secret, during a rotation) only rebuild. A rebuilt token is answered only
 * when its hash is the one recorded.
 */
export class SurveyTokens {
  private readonly secrets: readonly string[];

  constructor(secrets: readonly (string | undefined)[]) {
    this.secrets = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
    if (this.secrets.length === 0) throw new Error('survey tokens need a secret');
  }

  mint(threadId: string): MintedSurveyToken {
    const tokenSeed = randomBytes(SEED_BYTES).toString('base64url');
    const token = derive(this.secrets[0]!, threadId, tokenSeed);
    return { token, tokenHash: hashSurveyToken(token), tokenSeed };
  }

  /** The raw token of a survey of `threadId` recorded with `tokenSeed` and `tokenHash`, or undefined. */
  rebuild(threadId: string, tokenSeed: string, tokenHash: string): string | undefined {
    if (!tokenSeedPattern.test(tokenSeed) || !/^[0-9a-f]{64}$/.test(tokenHash)) return undefined;
    const expected = Buffer.from(tokenHash, 'hex');
    for (const secret of this.secrets) {
      const token = derive(secret, threadId, tokenSeed);
      if (timingSafeEqual(Buffer.from(hashSurveyToken(token), 'hex'), expected)) return token;
    }
    return undefined;
  }
}
