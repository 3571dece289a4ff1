import type { DomainErrorCode, DomainErrorDetails } from '../../domain/shared.js';
import { threadStatuses } from '../../domain/thread/vocabulary.js';

/**
 * The sentence a person reads for every refusal: plain words, no ids, no status names, no
 * jargon, ending in a full stop; what to do next where there is something to do. The problem's
 * `type` and `code` stay the machine-readable part. Both tables are exhaustive by type, so a new
 * code does not compile until someone has written its sentence.
 */

/** Codes the HTTP edge itself raises (besides the domain's). */
export const httpProblemCodes = [
  'invalid_input',
  'unauthenticated',
  'invalid_link',
  'csrf',
  'forbidden',
  'not_found',
  'conflict',
  'idempotency_conflict',
  'idempotency_key_reused',
  'rate_limited',
  'body_too_large',
  'unsupported_media_type',
  'request_aborted',
  'unavailable',
  'overloaded',
  'timeout',
  'stream_deleted',
  'internal',
  'email_taken',
  'rebuild_running',
  'not_failed',
  'no_route',
  'invalid_signature',
  'attachment_too_large',
  'attachment_type_not_allowed',
  'attachment_type_mismatch',
  'attachment_no_file',
  'attachment_too_many_files',
  'attachment_not_scanned',
  'attachment_quarantined',
  'attachment_unscannable',
  'attachment_erased',
  'attachment_link_expired',
] as const;
export type HttpProblemCode = (typeof httpProblemCodes)[number];
export type ProblemCode = HttpProblemCode | DomainErrorCode;

const httpWords: Record<HttpProblemCode, string> = {
  invalid_input: 'Some of what was entered is not valid. Check the marked fields and try again.',
  unauthenticated: 'You are not signed in, or your session has ended. Sign in to continue.',
  invalid_link: 'This link no longer works: it has expired or been revoked. Ask support for a new one.',
  csrf: 'This page is out of date. Reload it and try again.',
  forbidden: 'You do not have access to do this.',
  not_found: 'This could not be found. It may have been removed, or you may not have access to it.',
  conflict: 'Someone else made a change at the same time. Reload and try again.',
  idempotency_conflict: 'This was already sent with different content. Reload the page and try again.',
  idempotency_key_reused: 'This was already sent with different content. Reload the page and try again.',
  rate_limited: 'Too many attempts. Wait a moment and try again.',
  body_too_large: 'This is too large to send. Shorten it and try again.',
  unsupported_media_type: 'The desk accepts only JSON here.',
  request_aborted: 'The request was cut off before it arrived. Try again.',
  unavailable: 'The desk cannot save or load anything right now. Try again in a few seconds.',
  overloaded: 'The desk is very busy right now. Try again in a few seconds.',
  timeout: 'This took too long. Try again: nothing will be done twice.',
  stream_deleted: 'This history has been deleted.',
  internal: 'Something went wrong on our side. Try again shortly.',
  email_taken: 'An account with this email already exists.',
  rebuild_running: 'This read model is already being rebuilt. Wait for that rebuild to finish.',
  not_failed: 'Only emails that failed or were set aside can be sent again.',
  no_route: 'There is no such address in the API of this desk.',
  invalid_signature:
    'This delivery is not signed with the agreed secret, or it was signed too long ago. Nothing was recorded.',
  attachment_too_large: 'This file is larger than the desk takes. Send a smaller file, or a link to it.',
  attachment_type_not_allowed:
    'This kind of file cannot be sent here. Send an image, a PDF, a text or an office document instead.',
  attachment_type_mismatch: 'This file is not what its name says. Rename it or send another file.',
  attachment_no_file: 'No file arrived. Choose a file and try again.',
  attachment_too_many_files: 'Too many files at once. Send fewer files with this message.',
  attachment_not_scanned: 'This file is still being checked for viruses. Try again in a moment.',
  attachment_quarantined: 'A virus was found in this file, so it is blocked. Ask the sender for a clean copy.',
  attachment_unscannable:
    'This file could not be checked for viruses, so it is blocked. Ask the sender to send it another way.',
  attachment_erased: 'This file was removed by support.',
  attachment_link_expired: 'This link to the file has expired. Open the conversation to download it.',
};

const statusWords: Record<string, string> = {
  OPEN: 'open',
  PENDING: 'waiting for the partner',
  RESOLVED: 'resolved',
  CLOSED: 'closed',
};

/** What refusing a status change says: the thread's status now, and what would make it possible. */
function transitionWords({ from, to }: DomainErrorDetails): string {
  if (from === to) return `This thread is already ${statusWords[from ?? ''] ?? 'in that state'}.`;
  if (to === 'RESOLVED' && from === 'CLOSED') return 'This thread is closed. Reopen it before resolving it.';
  if (to === 'OPEN') return `This thread is ${statusWords[from ?? ''] ?? 'not closed'}, so there is nothing to reopen.`;
  return `This thread is ${statusWords[from ?? ''] ?? 'in another state'} and cannot be changed that way.`;
}

const domainWords: Record<DomainErrorCode, string | ((details: DomainErrorDetails) => string)> = {
  invalid_command: httpWords.invalid_input,
  author_not_allowed: httpWords.forbidden,
  thread_exists: 'This thread already exists.',
  thread_not_found: 'This thread does not exist, or you do not have access to it.',
  internal_note_by_non_staff: 'Only support staff can add internal notes.',
  thread_closed: 'This thread is closed, so it takes no new messages.',
  invalid_transition: transitionWords,
  guest_link_exists: 'This guest link already exists.',
  guest_link_not_found: 'This guest link does not exist, or it has already ended.',
  whatsapp_number_required: 'The WhatsApp bubble needs a WhatsApp number. Enter one, or turn the bubble off.',
  stale_revision:
    'Someone else changed this thread while you were looking at it. Reload to see the latest, then try again.',
  concurrent_changes: 'Many changes are reaching this thread at once. Try again in a moment.',
  attachment_not_found: 'This file does not exist, or you do not have access to it. Upload it again.',
  attachment_already_posted: 'This file is already on a message. Upload it again to send it once more.',
  sla_calendar_not_found: 'This calendar does not exist. Pick one of the desk’s calendars.',
  sla_calendar_in_use: 'A service-level policy still uses this calendar. Move the policy to another calendar first.',
  sla_policy_not_found: 'This service-level policy does not exist.',
  survey_not_found: 'This survey link does not exist. Check that the whole link was copied from the email.',
  survey_expired: 'This survey has closed, so it takes no more answers. Thank you all the same.',
};

export function plainWords(code: ProblemCode, details: DomainErrorDetails = {}): string {
  if (code in httpWords) return httpWords[code as HttpProblemCode];
  const words = domainWords[code as DomainErrorCode];
  return typeof words === 'function' ? words(details) : words;
}

/** Every sentence there is (for the test that holds them to the rules above). */
export function everySentence(): { code: ProblemCode; sentence: string }[] {
  // a refused transition names where the thread was (any status) and where it was to go (a target
  // of Reopen, Resolve or Close: never PENDING, which only a staff reply reaches)
  const targets = threadStatuses.filter((status) => status !== 'PENDING');
  const transitions = threadStatuses.flatMap((from) => targets.map((to) => ({ from, to })));
  return [
    ...Object.entries(httpWords).map(([code, sentence]) => ({ code: code as ProblemCode, sentence })),
    ...Object.entries(domainWords).flatMap(([code, words]) =>
      typeof words === 'function'
        ? transitions.map((t) => ({ code: code as ProblemCode, sentence: words(t) }))
        : [{ code: code as ProblemCode, sentence: words }],
    ),
  ];
}

/** Sentences for a `not_found` that names what was not found. */
export const ASSIGNMENT_NOT_FOUND = 'This assignment does not exist, or you do not have access to it.';
