import type pg from 'pg';
import { inboundMessageOf } from './inboundMessage.js';
import type { ReceivedEmail } from './inboundMessageHeaders.js';

/**
 * The held mail table (`held_inbound_emails`) as staff read it: open rows newest first, one row
 * with its text, and why each was held in plain words. The text is always made from the stored
 * email by `inboundMessageOf`: plain text (HTML-only mail converted), never the raw HTML.
 */

/** Why a mail was held, as staff read it. */
const reasonWords: Record<string, string> = {
  no_sender: 'The email had no sender address that could be read.',
  forged_reply_address: 'It was sent to a reply address that was not signed for this sender.',
  conflicting_threads: 'Its reply addresses or references point at different threads.',
  unknown_thread: 'Its reply address names a thread that does not exist.',
  not_a_participant: 'The sender is not a partner or guest of the thread the email answers.',
  tag_of_another_organisation: 'The subject names an assignment of another organisation than the sender’s.',
  ambiguous_subject_tag: 'The subject names more than one assignment.',
  no_assignment: 'A known partner wrote, but the email names no thread and no assignment.',
  unknown_sender: 'Nothing matched, and the sender is nobody the desk knows.',
  thread_closed: 'A guest replied to a closed thread, and guests cannot open a new one.',
  empty_message: 'The email has no text that could become a message.',
  raise_query: 'A partner’s email named an assignment (held before the desk raised queries from email).',
  follow_up: 'A reply to a closed thread (held before the desk opened follow-ups from email).',
};

export function heldReasonWords(reason: string): string {
  return reasonWords[reason] ?? 'The email could not be matched to a thread.';
}

export const SNIPPET_LENGTH = 200;

export interface HeldEmailRow {
  id: string;
  message_id: string;
  resend_email_id: string;
  svix_id: string;
  reason: string;
  thread_id: string | null;
  thread_subject: string | null;
  assignment_id: string | null;
  assignment_reference: string | null;
  sender: string;
  subject: string;
  received_at: Date;
  held_at: Date;
  sha256: string;
  email: ReceivedEmail;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolved_by_name: string | null;
  resolution: 'assigned' | 'discarded' | null;
  resolved_as: 'participant_message' | 'internal_note' | 'query_raised' | null;
  resolved_thread_id: string | null;
  discard_reason: string | null;
}

const selectHeld = `
  SELECT h.id, h.message_id, h.resend_email_id, h.svix_id, h.reason, h.thread_id::text, h.assignment_id, h.sender, h.subject,
         h.received_at, h.held_at, h.sha256, h.email, h.resolved_at, h.resolved_by, h.resolved_by_name,
         h.resolution, h.resolved_as, h.resolved_thread_id::text, h.discard_reason,
         t.subject AS thread_subject,
         coalesce(a.reference, t.assignment_reference) AS assignment_reference
    FROM held_inbound_emails h
    LEFT JOIN support_inbox t ON t.thread_id = h.thread_id
    LEFT JOIN assignment_directory a ON a.assignment_id = coalesce(h.assignment_id, t.assignment_id)`;

/** The text a held mail shows: its visible reply and its whole text (quoted history included). */
export function heldTextOf(email: ReceivedEmail): { reply: string; fullText: string } {
  const message = inboundMessageOf(email);
  return message.kind === 'message' ? { reply: message.body, fullText: message.fullText } : { reply: '', fullText: '' };
}

export function snippetOf(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > SNIPPET_LENGTH ? `${line.slice(0, SNIPPET_LENGTH - 1)}…` : line;
}

/** Open held mails, newest first, and how many are open in all. */
export async function listOpenHeld(pool: pg.Pool, limit: number): Promise<{ open: number; rows: HeldEmailRow[] }> {
  const [{ rows }, { rows: count }] = await Promise.all([
    pool.query<HeldEmailRow>(
      `${selectHeld} WHERE h.resolved_at IS NULL ORDER BY h.received_at DESC, h.message_id LIMIT $1`,
      [limit],
    ),
    pool.query<{ n: number }>('SELECT count(*)::int AS n FROM held_inbound_emails WHERE resolved_at IS NULL'),
  ]);
  return { open: count[0]?.n ?? 0, rows };
}

/** One held mail by its id (the SHA-256 of its Message-ID) or its Message-ID. */
export async function findHeld(db: pg.Pool | pg.PoolClient, idOrMessageId: string, lock = false) {
  const column = idOrMessageId.startsWith('<') ? 'h.message_id' : 'h.id';
  const { rows } = await db.query<HeldEmailRow>(`${selectHeld} WHERE ${column} = $1${lock ? ' FOR UPDATE OF h' : ''}`, [
    idOrMessageId,
  ]);
  return rows[0] ?? null;
}

export interface Resolution {
  at: Date;
  by: { id: string; name: string };
  resolution: 'assigned' | 'discarded';
  resolvedAs?: HeldEmailRow['resolved_as'];
  threadId?: string | null;
  discardReason?: string;
}

/** Marks a held mail resolved, once: false when it already was. */
export async function resolveHeld(db: pg.PoolClient, messageId: string, r: Resolution): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE held_inbound_emails
        SET resolved_at = $2, resolved_by = $3, resolved_by_name = $4, resolution = $5, resolved_as = $6,
            resolved_thread_id = $7, discard_reason = $8
      WHERE message_id = $1 AND resolved_at IS NULL`,
    [
      messageId,
      r.at,
      r.by.id,
      r.by.name,
      r.resolution,
      r.resolvedAs ?? null,
      r.threadId ?? null,
      r.discardReason ?? null,
    ],
  );
  return rowCount === 1;
}
