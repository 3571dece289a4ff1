import { createHash } from 'node:crypto';
import type { ReceivedEmail } from './inboundMessageHeaders.js';

/**
 * The SHA-256 recorded with an inbound email's event, so the audit chain covers what arrived:
 * of the raw message (its bytes as downloaded) when there is one, else of the canonical JSON of
 * what Resend answered. Pure: the caller downloads the raw message.
 */
export interface InboundMessageDigest {
  /** 64 lowercase hex characters. */
  sha256: string;
  /** What was hashed: the raw message, or the received record as canonical JSON. */
  of: 'raw' | 'received_json';
}

/** The digest to record: of the raw message when it could be had, else of the received record. */
export function inboundMessageDigest(
  email: ReceivedEmail & { raw?: unknown },
  raw: Uint8Array | string | null,
): InboundMessageDigest {
  return raw === null ? receivedEmailDigest(email) : rawMessageDigest(raw);
}

/** The raw message's bytes (a string is taken as UTF-8). */
export function rawMessageDigest(raw: Uint8Array | string): InboundMessageDigest {
  return { sha256: createHash('sha256').update(raw).digest('hex'), of: 'raw' };
}

/**
 * The digest of the received record, without `raw`: its download URL is signed afresh and
 * expires, so the same email fetched twice would hash differently with it.
 */
export function receivedEmailDigest(email: ReceivedEmail & { raw?: unknown }): InboundMessageDigest {
  const { raw: _raw, ...received } = email;
  return { sha256: createHash('sha256').update(canonicalJson(received), 'utf8').digest('hex'), of: 'received_json' };
}

/** JSON with object keys sorted at every depth and no white space; `undefined` members left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const json = JSON.stringify(value);
    return json === undefined ? 'null' : json;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const members = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
  return `{${members.join(',')}}`;
}
