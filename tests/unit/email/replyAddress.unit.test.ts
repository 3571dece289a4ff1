import { describe, expect, it } from 'vitest';
import { emailConfigSchema } from '../../../workers/email/emailConfig.js';
import { replyAddresses } from '../../../workers/email/replyAddress.js';

const current = 'the current guest link secret, 32+ characters long';
const previous = 'the previous guest link secret, before the rotation';
const threadId = '5b1c0a52-8f3e-4c1d-9a57-2f6d7c1e9b30';
const otherThreadId = '0e6f4a8b-1c2d-4e3f-8a9b-7c6d5e4f3a21';
const domain = 'reply.desk.test';
const pat = 'pat@acme.test';

const addresses = replyAddresses({ secrets: [current, previous], domain });

describe('signed reply addresses', () => {
  it('when an address is signed for a recipient, then a reply from that recipient verifies to its thread', () => {
    const address = addresses.signReplyAddress(threadId, pat);
    expect(address).toMatch(new RegExp(`^reply\\+${threadId}\\.[a-z2-7]{20}@reply\\.desk\\.test$`));
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(addresses.verifyReplyAddress(address, pat)).toEqual({ ok: true, threadId });
  });

  it('when the sender writes their address differently (case, display name), then it still verifies', () => {
    const address = addresses.signReplyAddress(threadId, 'Pat@Acme.test');
    expect(addresses.verifyReplyAddress(`Desk <${address}>`, 'Pat Partner <PAT@acme.TEST>')).toEqual({
      ok: true,
      threadId,
    });
  });

  it('when a relay lower- or upper-cases the local part, then the address is still accepted', () => {
    const address = addresses.signReplyAddress(threadId, pat);
    expect(addresses.verifyReplyAddress(address.toUpperCase(), pat)).toEqual({ ok: true, threadId });
    expect(addresses.verifyReplyAddress(address.toLowerCase(), pat)).toEqual({ ok: true, threadId });
  });

  it("when someone else replies to another recipient's address, then it is refused", () => {
    const address = addresses.signReplyAddress(threadId, pat);
    expect(addresses.verifyReplyAddress(address, 'mallory@elsewhere.test')).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('when the thread of a signed address is changed, then it is refused', () => {
    const address = addresses.signReplyAddress(threadId, pat);
    expect(addresses.verifyReplyAddress(address.replace(threadId, otherThreadId), pat)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('when the signature is changed by one character, then it is refused', () => {
    const address = addresses.signReplyAddress(threadId, pat);
    const at = address.indexOf('@');
    const last = address[at - 1] === 'a' ? 'b' : 'a';
    expect(addresses.verifyReplyAddress(`${address.slice(0, at - 1)}${last}${address.slice(at)}`, pat)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('when an address was signed with the previous secret (before a rotation), then it is still accepted', () => {
    const beforeRotation = replyAddresses({ secrets: [previous], domain }).signReplyAddress(threadId, pat);
    expect(beforeRotation).not.toBe(addresses.signReplyAddress(threadId, pat));
    expect(addresses.verifyReplyAddress(beforeRotation, pat)).toEqual({ ok: true, threadId });
  });

  it('when an address was signed with a secret that is neither the current nor the previous one, then it is refused', () => {
    const forged = replyAddresses({ secrets: ['some other secret that nobody here knows'], domain });
    expect(addresses.verifyReplyAddress(forged.signReplyAddress(threadId, pat), pat)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('when signing, then the current secret signs (the previous one only verifies)', () => {
    expect(replyAddresses({ secrets: [current], domain }).signReplyAddress(threadId, pat)).toBe(
      addresses.signReplyAddress(threadId, pat),
    );
  });

  it.each([
    ['not a reply address', 'support@reply.desk.test', 'malformed'],
    ['no thread', 'reply+.abcdefghijklmnopqrst@reply.desk.test', 'malformed'],
    ['no signature', `reply+${threadId}@reply.desk.test`, 'malformed'],
    ['no domain', `reply+${threadId}.abcdefghijklmnopqrst`, 'malformed'],
    ['another domain', `reply+${threadId}.abcdefghijklmnopqrst@evil.test`, 'wrong_domain'],
  ])('when the address has %s, then it is refused', (_, address, reason) => {
    expect(addresses.verifyReplyAddress(address, pat)).toEqual({ ok: false, reason });
  });

  it('when an address is signed at another domain, then it is refused at ours', () => {
    const elsewhere = replyAddresses({ secrets: [current], domain: 'other.desk.test' }).signReplyAddress(threadId, pat);
    expect(addresses.verifyReplyAddress(elsewhere, pat)).toEqual({ ok: false, reason: 'wrong_domain' });
  });

  it('when there is no secret or no domain, then no reply addresses can be made', () => {
    expect(() => replyAddresses({ secrets: [], domain })).toThrow(/secret/);
    expect(() => replyAddresses({ secrets: [current], domain: ' ' })).toThrow(/domain/);
    expect(() => addresses.signReplyAddress('not-a-thread', pat)).toThrow(/thread id/);
  });
});

describe('INBOUND_EMAIL_DOMAIN', () => {
  it('is optional, read as a lower-case domain name, and refused when it is not one', () => {
    expect(emailConfigSchema.parse({}).INBOUND_EMAIL_DOMAIN).toBeUndefined();
    expect(emailConfigSchema.parse({ INBOUND_EMAIL_DOMAIN: ' Reply.Desk.TEST ' }).INBOUND_EMAIL_DOMAIN).toBe(
      'reply.desk.test',
    );
    for (const bad of ['localhost', 'reply@desk.test', 'https://desk.test', '-x.test', 'a b.test']) {
      expect(emailConfigSchema.safeParse({ INBOUND_EMAIL_DOMAIN: bad }).success, bad).toBe(false);
    }
  });
});
