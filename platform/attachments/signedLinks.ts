import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Links to a file in an email: whoever holds the link may fetch that one file until it expires,
 * without signing in (a partner reading mail on their phone). The signature is an HMAC-SHA256 of
 * the attachment id and the expiry, with a key derived from the guest link secret (which every API
 * and email process shares); nothing is stored, and rotating the secret ends every link.
 */

const purpose = 'attachment-link:v1';

function keyOf(secret: string): Buffer {
  return createHmac('sha256', secret).update(purpose).digest();
}

function mac(secret: string, attachmentId: string, expires: number): Buffer {
  return createHmac('sha256', keyOf(secret)).update(`${attachmentId.toLowerCase()}.${expires}`).digest();
}

export interface SignedAttachmentLink {
  /** Unix seconds. */
  expires: number;
  signature: string;
}

export function signAttachmentLink(secret: string, attachmentId: string, expiresAt: Date): SignedAttachmentLink {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return { expires, signature: mac(secret, attachmentId, expires).toString('base64url') };
}

/** The path (under the portal's base URL) of a signed link. */
export function signedAttachmentPath(attachmentId: string, link: SignedAttachmentLink): string {
  return `/api/attachments/${attachmentId}/signed?expires=${link.expires}&signature=${link.signature}`;
}

/**
 * 'valid', 'expired' or 'invalid'. Any of `secrets` may have signed it (the secret before a
 * rotation still opens the links it signed, until they expire).
 */
export function verifyAttachmentLink(
  secrets: readonly string[],
  attachmentId: string,
  link: { expires: number; signature: string },
  now: Date,
): 'valid' | 'expired' | 'invalid' {
  if (!Number.isSafeInteger(link.expires) || !/^[A-Za-z0-9_-]{43}$/.test(link.signature)) return 'invalid';
  const given = Buffer.from(link.signature, 'base64url');
  const signed = secrets.some((secret) => {
    const expected = mac(secret, attachmentId, link.expires);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!signed) return 'invalid';
  return link.expires * 1000 <= now.getTime() ? 'expired' : 'valid';
}
