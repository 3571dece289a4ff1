import { headerOf, messageIdList, ownMessageIdOf, senderOf, type ReceivedEmail } from './inboundMessageHeaders.js';

/**
 * Loops and noise: mail that is recorded but never becomes a message nor sends any mail. An
 * auto-reply answered by our acknowledgement answered by their auto-reply is the classic loop;
 * a newsletter is no query. Pure: what is "ours" comes in as predicates.
 */

export const noiseReasons = [
  /** One of our own emails came back (a bounce copy, a forward loop): its Message-ID is one we sent. */
  'our_message_id',
  /** From one of our own addresses (the desk's From, the support address, a reply address). */
  'from_ourselves',
  /** `Auto-Submitted` other than `no` (RFC 3834): auto-replies, auto-generated notifications. */
  'auto_submitted',
  /** `X-Autoreply`, `X-Autorespond` (and its `X-Autoresponder` spelling): vacation responders that skip RFC 3834. */
  'autoreply_header',
  /** `Precedence: bulk | auto_reply | junk | list`. */
  'precedence',
  /** A delivery status report (a bounce): `multipart/report` or `X-Failed-Recipients`. */
  'delivery_report',
  /** `List-Id` or `List-Unsubscribe` on mail that answers nothing: a newsletter or a list post. */
  'bulk_mail',
] as const;
export type NoiseReason = (typeof noiseReasons)[number];

export interface NoiseContext {
  /** Whether a Message-ID (canonical, `<left@right>`) is one of ours: sent by the desk. */
  isOurMessageId: (messageId: string) => boolean;
  /** Whether an address (lowercase `local@domain`) is one of the desk's own. */
  isOurAddress: (address: string) => boolean;
}

const noisyPrecedence = new Set(['bulk', 'auto_reply', 'junk', 'list']);

/** Why the email is noise, or null when it may be a person writing. */
export function mailNoiseOf(email: ReceivedEmail, context: NoiseContext): NoiseReason | null {
  const header = (name: string) => headerOf(email.headers, name);
  const ownId = ownMessageIdOf(email);
  if (ownId && context.isOurMessageId(ownId)) return 'our_message_id';
  const sender = senderOf(email);
  if (sender && context.isOurAddress(sender.normalized)) return 'from_ourselves';

  const autoSubmitted = firstToken(header('Auto-Submitted'));
  if (autoSubmitted !== null && autoSubmitted !== 'no') return 'auto_submitted';
  if (['X-Autoreply', 'X-Autorespond', 'X-Autoresponder'].some((name) => header(name) !== null)) {
    return 'autoreply_header';
  }
  const precedence = firstToken(header('Precedence'));
  if (precedence !== null && noisyPrecedence.has(precedence)) return 'precedence';
  if (firstToken(header('Content-Type')) === 'multipart/report' || header('X-Failed-Recipients') !== null) {
    return 'delivery_report';
  }
  // List headers alone do not make noise: a partner's team address run as a mailing list
  // (a Google Group, a distribution list) adds them to every human reply. A reply carries
  // In-Reply-To or References; a newsletter or a list post carries neither.
  const isListMail = header('List-Id') !== null || header('List-Unsubscribe') !== null;
  const answersSomething =
    messageIdList(header('In-Reply-To')).length > 0 || messageIdList(header('References')).length > 0;
  if (isListMail && !answersSomething) return 'bulk_mail';
  return null;
}

/** A structured header's value before any parameter (`auto-replied; owner-email=…`), lowercase. */
function firstToken(value: string | null): string | null {
  if (value === null) return null;
  const token = value.split(';')[0]?.trim().toLowerCase() ?? '';
  return token === '' ? null : token;
}
