import type { ThreadMessageIds } from './mailingFacts.js';

/*
 * The headers that let a reply be matched to its thread and mail clients thread the conversation:
 * each email's own Message-ID (from its outbox id, so every attempt sends the same one), In-Reply-To
 * the thread's latest inbound Message-ID (else its root: the first email we sent about it), and
 * References with the thread's first and latest ids. Pure: decided when the row is written.
 */

/** About 1,500 characters of References: the first id and as many of the latest as fit. */
export const REFERENCES_MAX_LENGTH = 1500;
/** How many of a thread's latest ids are loaded beside its first: more than References can hold. */
export const LATEST_IDS_KEPT = 40;

const FALLBACK_DOMAIN = 'support-desk';

/** The domain of our own Message-IDs: that of the From address (EMAIL_FROM). */
export function messageIdDomain(sender: string): string {
  const angled = /<([^<>]*)>\s*$/.exec(sender);
  const address = (angled ? angled[1]! : sender).trim();
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  return address.includes('@') && /^[a-z0-9.-]+$/.test(domain) && domain.length > 0 ? domain : FALLBACK_DOMAIN;
}

/**
 * An email's own Message-ID: it names its thread (for people reading headers) and its outbox row
 * (the idempotency key), so every attempt sends the same one.
 */
export function outgoingMessageId(emailId: string, threadId: string | null, domain: string): string {
  return threadId ? `<thread-${threadId}.${emailId}@${domain}>` : `<email-${emailId}@${domain}>`;
}

/** The ids joined by spaces, the first kept and then the latest that fit in `max` characters. */
export function referencesOf(ids: readonly string[], max = REFERENCES_MAX_LENGTH): string {
  const [first, ...rest] = ids;
  if (first === undefined) return '';
  const latest: string[] = [];
  let length = first.length;
  for (let i = rest.length - 1; i >= 0; i--) {
    const id = rest[i]!;
    if (length + 1 + id.length > max) break;
    latest.unshift(id);
    length += 1 + id.length;
  }
  return [first, ...latest].join(' ');
}

/** In-Reply-To and References of an email about a thread, from what is known of its ids (none: the thread's first email). */
export function replyHeaders(
  known: ThreadMessageIds | undefined,
  ownMessageId: string,
): { 'In-Reply-To'?: string; References?: string } {
  // an email decided again (a replayed event) never refers to itself
  const ids = (known?.ids ?? []).filter((id) => id !== ownMessageId);
  const inReplyTo = known?.latestInbound ?? ids[0];
  if (inReplyTo === undefined) return {};
  return { 'In-Reply-To': inReplyTo, References: referencesOf(ids.includes(inReplyTo) ? ids : [...ids, inReplyTo]) };
}

/** What is known of a thread's ids after one more was sent. */
export function withSentId(known: ThreadMessageIds | undefined, messageId: string): ThreadMessageIds {
  const ids = known?.ids ?? [];
  if (ids.includes(messageId)) return known!;
  // keep the first and the latest, as loading does
  const kept = ids.length > LATEST_IDS_KEPT ? [ids[0]!, ...ids.slice(-(LATEST_IDS_KEPT - 1))] : ids;
  return { ids: [...kept, messageId], latestInbound: known?.latestInbound ?? null };
}
