import { describe, expect, it } from 'vitest';
import {
  GuestTokens,
  deriveGuestToken,
  hashGuestToken,
  looksLikeGuestToken,
  newGuestToken,
} from '../../commands/guestLinks/guestToken.js';
import { tokenSeedSchema } from '../../domain/index.js';

const secret = 'a-guest-link-secret-that-is-long-enough-1';
const other = 'another-guest-link-secret-long-enough-222';

/** Derived guest tokens (docs/decisions/0005): checked by their hash, rebuilt only with the secret. */
describe('guest tokens', () => {
  it('when a token is minted, then it looks like every token, its hash is the link id, and its seed is recorded', () => {
    const minted = new GuestTokens([secret]).mint();
    expect(looksLikeGuestToken(minted.token)).toBe(true);
    expect(minted.tokenHash).toBe(hashGuestToken(minted.token));
    expect(tokenSeedSchema.safeParse(minted.tokenSeed).success).toBe(true);
    expect(minted.token).toBe(deriveGuestToken(secret, minted.tokenSeed!));
    expect(minted.token).not.toContain(minted.tokenSeed);
  });

  it('when tokens are minted, then each is new', () => {
    const tokens = new GuestTokens([secret]);
    const seen = new Set(Array.from({ length: 200 }, () => tokens.mint().token));
    expect(seen.size).toBe(200);
  });

  it('when a token is rebuilt with the secret that made it, then it is the same token', () => {
    const minted = new GuestTokens([secret]).mint();
    expect(new GuestTokens([secret]).rebuild(minted.tokenSeed!, minted.tokenHash)).toBe(minted.token);
  });

  it('when the secret was rotated, then the previous one still rebuilds older links, and new ones use the new secret', () => {
    const old = new GuestTokens([secret]).mint();
    const rotated = new GuestTokens([other, secret]);
    expect(rotated.rebuild(old.tokenSeed!, old.tokenHash)).toBe(old.token);
    const fresh = rotated.mint();
    expect(fresh.token).toBe(deriveGuestToken(other, fresh.tokenSeed!));
  });

  it('when the secret differs, the seed is wrong or the hash is another link, then nothing is rebuilt', () => {
    const minted = new GuestTokens([secret]).mint();
    expect(new GuestTokens([other]).rebuild(minted.tokenSeed!, minted.tokenHash)).toBeUndefined();
    const another = new GuestTokens([secret]).mint();
    expect(new GuestTokens([secret]).rebuild(another.tokenSeed!, minted.tokenHash)).toBeUndefined();
    expect(new GuestTokens([secret]).rebuild('not a seed', minted.tokenHash)).toBeUndefined();
    expect(new GuestTokens([secret]).rebuild(minted.tokenSeed!, 'f'.repeat(63))).toBeUndefined();
  });

  it('when a token was random (issued before tokens were derived), then it has no seed to rebuild it from', () => {
    const random = newGuestToken();
    expect(random.tokenSeed).toBeUndefined();
    expect(looksLikeGuestToken(random.token)).toBe(true);
  });

  it('when there is no secret, then no tokens can be minted', () => {
    expect(() => new GuestTokens([undefined, ''])).toThrow(/need a secret/);
  });
});
