import EmailReplyParser from 'email-reply-parser';
import { BODY_MAX } from '../../../domain/index.js';
import type { ReceivedEmail } from './inboundMessageHeaders.js';
import { sanitizedHtmlOf, textOfHtml } from './inboundMessageHtml.js';

/**
 * What a received email becomes: the visible reply (no quoted history, no signature) as the
 * message body, the whole text kept for "show quoted", and the HTML only once sanitised.
 * Pure: no I/O, no clock.
 */

/** The full text kept for "show quoted"; past it, shortened like the body. */
export const FULL_TEXT_MAX = 100_000;
/**
 * The reply parser's regular expressions (without `re2`) take time in the square of a line's
 * length: it reads at most this much, and a longer line stands in it as a short placeholder.
 */
export const PARSED_TEXT_MAX = 64_000;
export const PARSED_LINE_MAX = 1_000;

export type InboundMessage =
  | {
      kind: 'message';
      /** The visible reply, within the domain's body rules (`bodySchema`). */
      body: string;
      /** Whether the body was shortened to fit (it then ends with the marker). */
      bodyShortened: boolean;
      /** The email's whole text, quoted history and signature included. */
      fullText: string;
      /** The sanitised HTML, or null (none, or too much to keep). */
      html: string | null;
      /** Where the text came from: the text part, or the HTML when there was no text. */
      textFrom: 'text' | 'html';
    }
  /** Nothing to read (an attachment alone, an empty email): no message can be made of it. */
  | { kind: 'empty'; html: string | null };

/**
 * What arrived, as an event made from the email records it (`metadata.inboundEmail`, under the
 * hash chain): the whole text for "show quoted" and the audit, and the HTML only sanitised.
 */
export function arrivedTextOf(message: InboundMessage): {
  textFrom: 'text' | 'html' | null;
  fullText: string | null;
  html: string | null;
} {
  return message.kind === 'message'
    ? { textFrom: message.textFrom, fullText: message.fullText, html: message.html }
    : { textFrom: null, fullText: null, html: message.html };
}

/** The marker that ends a shortened text, saying how much more the email has. */
export function shortenedMarker(omitted: number): string {
  return `\n\n[… shortened: ${omitted} more characters are in the full email]`;
}

/**
 * `inlineImages`: the stored copies of the email's inline images (Content-ID key → path), which
 * the kept HTML shows instead of their `cid:` references (inboundMessageHtml.ts).
 */
export function inboundMessageOf(
  email: Pick<ReceivedEmail, 'text' | 'html'>,
  inlineImages?: ReadonlyMap<string, string>,
): InboundMessage {
  const html = sanitizedHtmlOf(email.html, inlineImages);
  const ownText = cleanText(email.text ?? '');
  const textFrom = ownText.trim() === '' && email.html ? 'html' : 'text';
  const fullText = textFrom === 'html' ? cleanText(textOfHtml(email.html ?? '')) : ownText;
  if (fullText.trim() === '') return { kind: 'empty', html };

  const visible = visibleReplyOf(fullText).trim();
  // Only quotes (a forward, a reply written inside the quote): the whole text is the message.
  const reply = visible === '' ? fullText.trim() : visible;
  const body = shortened(reply, BODY_MAX);
  return {
    kind: 'message',
    body: body.text,
    bodyShortened: body.shortened,
    fullText: shortened(fullText, FULL_TEXT_MAX).text,
    html,
    textFrom,
  };
}

/** Unix line ends; no control characters but tabs and line breaks (nothing invisible is posted). */
function cleanText(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
      .replace(/[\u200b\ufeff]/g, '')
  );
}

/** Private-use characters around a line's number: a placeholder no quote header or signature rule matches. */
const placeholder = (n: number) => `\ue000${n}\ue001`;
const placeholders = /\ue000(\d+)\ue001/g;

/** The reply without quoted history and signature, as `email-reply-parser` reads it. */
function visibleReplyOf(text: string): string {
  const long: string[] = [];
  const parsed = text
    .slice(0, PARSED_TEXT_MAX)
    .split('\n')
    .map((line) => {
      if (line.length <= PARSED_LINE_MAX) return line;
      long.push(line);
      // a quoted long line stays quoted
      return `${/^\s*>/.test(line) ? '> ' : ''}${placeholder(long.length - 1)}`;
    })
    .join('\n');
  const visible = new EmailReplyParser().read(parsed).getVisibleText();
  return visible.replace(placeholders, (_, n: string) => long[Number(n)] ?? '');
}

/** `text` trimmed and, when longer than `max`, cut (never inside a surrogate pair) and ended with the marker. */
function shortened(text: string, max: number): { text: string; shortened: boolean } {
  const trimmed = text.trim();
  if (trimmed.length <= max) return { text: trimmed, shortened: false };
  let keep = max - shortenedMarker(trimmed.length).length;
  const last = trimmed.charCodeAt(keep - 1);
  if (last >= 0xd800 && last <= 0xdbff) keep -= 1;
  const kept = trimmed.slice(0, keep).trimEnd();
  return { text: kept + shortenedMarker(trimmed.length - kept.length), shortened: true };
}
