import type { GetReceivingEmailResponseSuccess } from 'resend';

/**
 * A received email as Resend's `emails.receiving.get` answers it: only the fields the inbound
 * rules read, so tests and the development mailbox can build one without the rest.
 */
export type ReceivedEmail = Pick<
  GetReceivingEmailResponseSuccess,
  'from' | 'to' | 'cc' | 'subject' | 'text' | 'html' | 'headers' | 'message_id'
> &
  Partial<Pick<GetReceivingEmailResponseSuccess, 'id' | 'created_at' | 'reply_to' | 'bcc' | 'received_for'>>;

/** Header names are case-insensitive (RFC 5322); Resend's record keeps whatever case the sender used. */
export function headerOf(headers: Readonly<Record<string, string>> | null, name: string): string | null {
  if (!headers) return null;
  const wanted = name.toLowerCase();
  const values = Object.entries(headers)
    .filter(([key]) => key.toLowerCase() === wanted)
    .map(([, value]) => unfold(String(value)));
  return values.length === 0 ? null : values.join(' ');
}

/** Folded header lines (a line break followed by white space) are one line. */
function unfold(value: string): string {
  return value.replace(/\r?\n[ \t]+/g, ' ').replace(/[\r\n]/g, ' ');
}

/** Parenthesised comments, which RFC 5322 allows between the ids of References. */
function withoutComments(value: string): string {
  let depth = 0;
  let out = '';
  for (const char of value) {
    if (char === '(') depth += 1;
    else if (char === ')' && depth > 0) depth -= 1;
    else if (depth === 0) out += char;
  }
  return out;
}

/** A Message-ID in one form, `<left@right>`, so what we sent and what comes back compare equal. */
export function canonicalMessageId(raw: string): string | null {
  const inner = raw.trim().replace(/^<+/, '').replace(/>+$/, '').trim();
  if (inner === '' || /[\s<>]/.test(inner)) return null;
  return `<${inner}>`;
}

/**
 * The Message-IDs of an `In-Reply-To` or `References` value, in order, each once: angle
 * brackets or none, any white space, folded lines and comments between them.
 */
export function messageIdList(value: string | null): string[] {
  if (!value) return [];
  const text = withoutComments(unfold(value));
  const bracketed = [...text.matchAll(/<([^<>]*)>/g)].map((match) => match[1] ?? '');
  const candidates = bracketed.length > 0 ? bracketed : text.split(/[\s,]+/);
  const ids: string[] = [];
  for (const candidate of candidates) {
    const id = canonicalMessageId(candidate);
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** One mailbox of a header or an address field: `Name <local@domain>` or `local@domain`. */
export interface MailAddress {
  /** The local part as received: signatures in it may be case-sensitive. */
  local: string;
  /** The domain, lowercase. */
  domain: string;
  /** `local@domain` lowercase: how people are compared. */
  normalized: string;
}

/** The addresses in one address field entry (a display name, a comment or several may surround them). */
export function addressesIn(entry: string): MailAddress[] {
  const text = unfold(entry);
  const bracketed = [...text.matchAll(/<([^<>]+)>/g)].map((match) => match[1] ?? '');
  const candidates = bracketed.length > 0 ? bracketed : text.split(/[\s,;]+/);
  return candidates.flatMap((candidate) => {
    const parsed = addressOf(candidate);
    return parsed ? [parsed] : [];
  });
}

function addressOf(candidate: string): MailAddress | null {
  const trimmed = candidate.trim().replace(/^mailto:/i, '');
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1 || /[\s<>]/.test(trimmed)) return null;
  const local = trimmed.slice(0, at).replace(/^"(.*)"$/, '$1');
  const domain = trimmed
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, '');
  return { local, domain, normalized: `${local.toLowerCase()}@${domain}` };
}

/** The sender: the first address of `From`, or null when there is none to be read. */
export function senderOf(email: Pick<ReceivedEmail, 'from'>): MailAddress | null {
  return addressesIn(email.from)[0] ?? null;
}

/** Everyone the email was addressed to (To, then Cc), each once. */
export function recipientsOf(email: Pick<ReceivedEmail, 'to' | 'cc'>): MailAddress[] {
  const all = [...email.to, ...(email.cc ?? [])].flatMap(addressesIn);
  return all.filter((address, i) => all.findIndex((other) => other.normalized === address.normalized) === i);
}

/** The email's own Message-ID: the header, else the field Resend fills from it. */
export function ownMessageIdOf(email: Pick<ReceivedEmail, 'headers' | 'message_id'>): string | null {
  return messageIdList(headerOf(email.headers, 'Message-ID'))[0] ?? canonicalMessageId(email.message_id ?? '');
}
