import { describe, expect, it } from 'vitest';
import {
  dummyPasswordHash,
  hashPassword,
  needsRehash,
  passwordPolicy,
  verifyPassword,
} from '../../../platform/identity/passwords.js';

describe('password hashing', () => {
  it('when a password is hashed, then the stored form names scrypt, its parameters, a 32-byte salt and a 64-byte key', async () => {
    const stored = await hashPassword('correct horse battery');
    const [scheme, n, r, p, salt, key, ...rest] = stored.split('$');
    expect([scheme, n, r, p]).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(32);
    expect(Buffer.from(key!, 'base64')).toHaveLength(64);
    expect(rest).toEqual([]);
    expect(stored).not.toContain('correct horse');
  });

  it('when the same password is hashed twice, then the salts differ', async () => {
    expect(await hashPassword('same password here')).not.toEqual(await hashPassword('same password here'));
  });

  it('when verifying, then only the right password matches', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('when the password is the same text in another Unicode form, then it matches (NFKC)', async () => {
    const stored = await hashPassword('caf\u00e9-password');
    expect(await verifyPassword('cafe\u0301-password', stored)).toBe(true);
  });

  it('when the stored hash is malformed or has absurd parameters, then nothing matches and nothing throws', async () => {
    for (const stored of [
      '',
      'plain',
      'scrypt$16384$8$1$abc',
      'bcrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==',
      'scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==',
      `scrypt$${2 ** 30}$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==`,
      'scrypt$16384$8$1$!!!$AAAAAAAAAAAAAAAAAAAAAA==',
    ]) {
      expect(await verifyPassword('anything at all', stored)).toBe(false);
    }
  });

  it('when a hash uses weaker parameters than today, then it needs a rehash', async () => {
    expect(needsRehash(await hashPassword('correct horse battery'))).toBe(false);
    expect(needsRehash('scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==')).toBe(true);
  });

  it('when the dummy hash is asked twice, then it is the same and matches no guess', async () => {
    const dummy = await dummyPasswordHash();
    expect(await dummyPasswordHash()).toBe(dummy);
    expect(await verifyPassword('demo-password-1', dummy)).toBe(false);
  });

  it('when a new password is checked, then it needs 10 to 200 characters', () => {
    expect(passwordPolicy.safeParse('short').success).toBe(false);
    expect(passwordPolicy.safeParse('x'.repeat(9)).success).toBe(false);
    expect(passwordPolicy.safeParse('x'.repeat(10)).success).toBe(true);
    expect(passwordPolicy.safeParse('x'.repeat(200)).success).toBe(true);
    expect(passwordPolicy.safeParse('x'.repeat(201)).success).toBe(false);
  });
});
