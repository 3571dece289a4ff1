import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Signed reply addresses: `reply+<threadId>.<signature>@<inbound domain>`, the Reply-To of every
 * email to a partner or guest about a thread. The signature is an HMAC of the thread and the
 * address the email went to, keyed by the guest link secret (never in the database) under a label
 * of its own, so a reply can be matched to its thread and to who was emailed, and nobody can make
 * up an address for a thread, or use someone else's.
 *
 * Relays often lower-case local parts: the thread id is lower-case hex and the signature lower-case
 * base32, and an address is read case-insensitively.
 */

const LABEL = 'support-desk reply address v1\n';
/** 100 bits: `reply+` (6) + thread id (36) + `.` (1) + 20 = 63, within the 64 a local part may have. */
const SIGNATURE_LENGTH = 20;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const threadIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const localPartPattern = new RegExp(`^reply\\+([0-9a-f-]{36})\\.([a-z2-7]{${SIGNATURE_LENGTH}})$`);

export type ReplyAddressRefusal =
  /** Not an address of the form reply+<thread>.<signature>@domain. */
  | 'malformed'
  /** Not at our inbound domain. */
  | 'wrong_domain'
  /** The signature is not one of our secrets' for this thread and this sender. */
  | 'bad_signature';

export type ReplyAddressCheck = { ok: true; threadId: string } | { ok: false; reason: ReplyAddressRefusal };

export interface ReplyAddresses {
  /** The inbound domain the addresses are at. */
  readonly domain: string;
  /** The address `recipient` replies to about `threadId` (signed with the current secret). */
  signReplyAddress(threadId: string, recipient: string): string;
  /** The thread a reply to `address` from `sender` is about, or why not. */
  verifyReplyAddress(address: string, sender: string): ReplyAddressCheck;
}

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** `Name <a@b>` or `a@b`, as one lower-case bare address. */
export function bareAddress(address: string): string {
  const angled = /<([^<>]*)>\s*$/.exec(address);
  return (angled ? angled[1]! : address).trim().toLowerCase();
}

function signature(secret: string, threadId: string, recipient: string): string {
  const mac = createHmac('sha256', secret)
    .update(LABEL)
    .update(`${threadId}\n${bareAddress(recipient)}`)
    .digest();
  return base32(mac.subarray(0, Math.ceil((SIGNATURE_LENGTH * 5) / 8))).slice(0, SIGNATURE_LENGTH);
}

/**
 * Reply addresses at `domain`, signed with `secrets[0]` (GUEST_LINK_SECRET, or its key file) and
 * verified with any of them (GUEST_LINK_SECRET_PREVIOUS too, so a rotation breaks no reply in flight).
 */
export function replyAddresses(options: { secrets: readonly string[]; domain: string }): ReplyAddresses {
  const secrets = options.secrets.filter((s) => s.length > 0);
  if (secrets.length === 0) throw new Error('reply addresses need a secret (GUEST_LINK_SECRET or its key file)');
  const domain = options.domain.trim().toLowerCase();
  if (!domain) throw new Error('reply addresses need an inbound domain (INBOUND_EMAIL_DOMAIN)');
  return {
    domain,
    signReplyAddress(threadId, recipient) {
      const thread = threadId.toLowerCase();
      if (!threadIdPattern.test(thread)) throw new Error(`not a thread id: ${threadId}`);
      return `reply+${thread}.${signature(secrets[0]!, thread, recipient)}@${domain}`;
    },
    verifyReplyAddress(address, sender) {
      const bare = bareAddress(address);
      const at = bare.lastIndexOf('@');
      if (at < 0) return { ok: false, reason: 'malformed' };
      const match = localPartPattern.exec(bare.slice(0, at));
      if (!match || !threadIdPattern.test(match[1]!)) return { ok: false, reason: 'malformed' };
      if (bare.slice(at + 1) !== domain) return { ok: false, reason: 'wrong_domain' };
      const threadId = match[1]!;
      const presented = Buffer.from(match[2]!, 'ascii');
      // every secret is compared, in constant time, whichever matches
      let valid = false;
      for (const secret of secrets) {
        const expected = Buffer.from(signature(secret, threadId, sender), 'ascii');
        if (timingSafeEqual(expected, presented)) valid = true;
      }
      return valid ? { ok: true, threadId } : { ok: false, reason: 'bad_signature' };
    },
  };
}
