import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  inboundMessageDigest,
  receivedEmailDigest,
} from '../../../../workers/email/inbound/inboundMessageDigest.js';
import { receivedEmail } from './inboundSpec.js';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('inboundMessageDigest: what the audit chain records of what arrived', () => {
  it('given the raw message, then its SHA-256 is of those bytes', () => {
    const raw = new TextEncoder().encode('From: pat@acme.test\r\nSubject: Grüße\r\n\r\nHi\r\n');
    expect(inboundMessageDigest(receivedEmail(), raw)).toEqual({ sha256: sha256(raw), of: 'raw' });
    expect(inboundMessageDigest(receivedEmail(), 'Grüße').sha256).toBe(sha256(Buffer.from('Grüße', 'utf8')));
  });

  it('given no raw message, then it is the SHA-256 of the canonical JSON of the received record', () => {
    const email = receivedEmail();
    expect(inboundMessageDigest(email, null)).toEqual({ sha256: sha256(canonicalJson(email)), of: 'received_json' });
    expect(canonicalJson(email).startsWith('{"cc":null,"from":')).toBe(true);
  });

  it('when the same email is fetched twice, its keys in another order and a fresh raw download link, then the digest is the same', () => {
    const first = {
      ...receivedEmail(),
      raw: { download_url: 'https://x.test/1?sig=a', expires_at: '2026-12-01T11:00:00Z' },
    };
    const reordered = Object.fromEntries(Object.entries(receivedEmail()).reverse()) as ReturnType<typeof receivedEmail>;
    const second = {
      ...reordered,
      raw: { download_url: 'https://x.test/1?sig=b', expires_at: '2026-12-01T12:00:00Z' },
    };
    expect(receivedEmailDigest(first)).toEqual(receivedEmailDigest(second));
  });

  it('when anything received differs, then the digest differs', () => {
    expect(receivedEmailDigest(receivedEmail({ text: 'Hello there!' }))).not.toEqual(
      receivedEmailDigest(receivedEmail()),
    );
  });

  it('writes canonical JSON: sorted keys at every depth, no white space, undefined members left out', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 'x' }], a: null, e: undefined })).toBe('{"a":null,"b":[{"c":"x","d":1}]}');
  });
});
