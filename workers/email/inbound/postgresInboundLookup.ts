import type pg from 'pg';
import { loadStream } from '../../../commands/commandHandler.js';
import {
  guestLinkAccess,
  guestLinkDecider,
  guestLinkStreamName,
  threadDecider,
  threadStreamName,
} from '../../../domain/index.js';
import type { EventStore } from '../../../eventstore/port.js';
import { guestScopeCoversThread } from '../../../platform/identity/identity.js';
import type { InboundAssignment, InboundLookup, InboundThread, PartnerAccount, StaffAccount } from './matchThread.js';

/**
 * The facts of the inbound rules, from the desk's own records: Message-IDs from
 * `email_thread_message_ids`, threads and guest links from their streams (the log, never a
 * projection that a rebuild may be filling), partners and staff from `accounts`, assignments from the
 * directory. Guest links are found through the email worker's `email_guest_links` and then
 * judged from their own stream, so a revocation counts at once.
 */
export function postgresInboundLookup(pool: pg.Pool, eventStore: EventStore): InboundLookup {
  async function thread(threadId: string): Promise<InboundThread | null> {
    const { state } = await loadStream(eventStore, threadDecider, threadStreamName(threadId));
    if (state.status === 'EMPTY') return null;
    return {
      threadId: state.threadId,
      status: state.status,
      assignmentId: state.assignmentId,
      assignmentReference: state.assignmentReference,
      partnerOrgId: state.partnerOrgId,
      subject: state.subject,
    };
  }

  return {
    async threadsOfMessageIds(messageIds) {
      const { rows } = await pool.query<{ message_id: string; thread_id: string }>(
        `SELECT DISTINCT ON (message_id) message_id, thread_id::text
           FROM email_thread_message_ids WHERE message_id = ANY($1::text[])
          ORDER BY message_id, at, seq`,
        [messageIds],
      );
      return new Map(rows.map((row) => [row.message_id, row.thread_id]));
    },

    thread,

    async assignmentByReference(reference) {
      const { rows } = await pool.query<InboundAssignment>(
        `SELECT assignment_id AS "assignmentId", reference, partner_org_id AS "partnerOrgId"
           FROM assignment_directory WHERE upper(reference) = upper($1) ORDER BY assignment_id LIMIT 1`,
        [reference],
      );
      return rows[0] ?? null;
    },

    async threadsOfAssignment(assignmentId) {
      const { rows } = await pool.query<{ thread_id: string }>(
        `SELECT t.thread_id::text FROM email_threads t
           JOIN assignment_directory a ON a.reference = t.reference
          WHERE a.assignment_id = $1 ORDER BY t.raised_at DESC LIMIT 50`,
        [assignmentId],
      );
      const threads = await Promise.all(rows.map((row) => thread(row.thread_id)));
      return threads.filter((t): t is InboundThread => t !== null && t.assignmentId === assignmentId);
    },

    async partnerAccountByAddress(address) {
      const { rows } = await pool.query<PartnerAccount>(
        `SELECT id::text AS "accountId", partner_org_id AS "partnerOrgId", name FROM accounts
          WHERE lower(email) = lower($1) AND role = 'partner' AND NOT disabled`,
        [address],
      );
      return rows[0] ?? null;
    },

    async staffAccountByAddress(address) {
      const { rows } = await pool.query<StaffAccount>(
        `SELECT id::text AS "accountId", name FROM accounts
          WHERE lower(email) = lower($1) AND role IN ('admin', 'agent') AND NOT disabled`,
        [address],
      );
      return rows[0] ?? null;
    },

    async guestLinkFor(threadId, address, at) {
      const target = await thread(threadId);
      if (!target) return null;
      const { rows } = await pool.query<{ link_id: string }>(
        `SELECT link_id FROM email_guest_links
          WHERE lower(recipient_email) = lower($1) AND revoked_at IS NULL AND expires_at > $2
            AND (thread_id = $3::uuid OR scope_kind = 'assignment')
          ORDER BY expires_at DESC LIMIT 20`,
        [address, at, threadId],
      );
      for (const { link_id: linkId } of rows) {
        const { state } = await loadStream(eventStore, guestLinkDecider, guestLinkStreamName(linkId));
        const access = guestLinkAccess(state, new Date(at));
        if (!access.ok || access.recipientEmail?.trim().toLowerCase() !== address.toLowerCase()) continue;
        if (guestScopeCoversThread(access.scope, target)) return { linkId, name: access.recipientEmail };
      }
      return null;
    },
  };
}
