import { SUBJECT_MAX } from '../../../domain/index.js';

/**
 * The subject of a query raised from an email: the email's subject without the assignment tags
 * (`[A-1001]`, which the thread shows as its assignment) and the reply and forward prefixes,
 * as the sender wrote it otherwise (case kept), on one line, within the domain's limit. Pure.
 */

/** `[A-1001]`, as matchThreadSubject.ts reads tags. */
const tagPattern = /\[\s*[A-Za-z][A-Za-z0-9]{0,19}-\d{1,12}\s*\]/g;
/** Re:, Fwd:, AW:, WG:, SV:, Re[2]: … (the prefixes matchThreadSubject.ts knows). */
const replyPrefix = /^\s*(re|aw|antw|antwort|fwd?|wg|sv|vs|tr|rif|r)\s*(\[\d+\]|\(\d+\))?\s*:\s*/i;
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

/** The subject a query from this email gets; `fallback` when nothing is left of it. */
export function querySubjectOf(subject: string | null | undefined, fallback: string): string {
  let topic = (subject ?? '').replace(controlCharacters, ' ').replace(tagPattern, ' ');
  for (let previous = ''; previous !== topic;) {
    previous = topic;
    topic = topic.replace(replyPrefix, '');
  }
  const cleaned = topic.replace(/\s+/g, ' ').trim();
  const chosen = cleaned === '' ? fallback.replace(/\s+/g, ' ').trim() : cleaned;
  return shortened(chosen === '' ? 'Email' : chosen, SUBJECT_MAX);
}

/** Cut to `max` characters, never inside a surrogate pair, ending in an ellipsis when cut. */
function shortened(text: string, max: number): string {
  if (text.length <= max) return text;
  let keep = max - 1;
  const last = text.charCodeAt(keep - 1);
  if (last >= 0xd800 && last <= 0xdbff) keep -= 1;
  return `${text.slice(0, keep).trimEnd()}…`;
}
