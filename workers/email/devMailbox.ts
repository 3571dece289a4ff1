import type pg from 'pg';
import type { EmailTransport, OutgoingEmail, SendOutcome } from './emailTransport.js';

/**
 * Without a Resend key the desk still runs: each email is "delivered" into `dev_mailbox` (once per
 * idempotency key, like Resend) and shown to admins and ops at GET /api/ops/mailbox.
 */
export class DevMailboxTransport implements EmailTransport {
  readonly kind = 'dev_mailbox' as const;

  constructor(private readonly pool: pg.Pool) {}

  async send(email: OutgoingEmail, options: { idempotencyKey: string }): Promise<SendOutcome> {
    try {
      const { rows } = await this.pool.query<{ id: string }>(
        `WITH inserted AS (
           INSERT INTO dev_mailbox (email_id, sender, recipient, subject, html, text, headers)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email_id) DO NOTHING RETURNING id)
         SELECT id::text FROM inserted UNION ALL SELECT id::text FROM dev_mailbox WHERE email_id = $1 LIMIT 1`,
        [
          options.idempotencyKey,
          email.from,
          email.to,
          email.subject,
          email.html,
          email.text,
          JSON.stringify(email.headers),
        ],
      );
      const id = rows[0]?.id;
      if (!id) return { ok: false, kind: 'retry', errorName: 'dev_mailbox', reason: 'not stored', statusCode: null };
      return { ok: true, providerId: `dev-${id}` };
    } catch (error) {
      return { ok: false, kind: 'retry', errorName: 'dev_mailbox', reason: (error as Error).message, statusCode: null };
    }
  }
}

/** An email as the development mailbox kept it. */
export interface DevMailboxEntry extends OutgoingEmail {
  id: string;
  emailId: string;
  deliveredAt: string;
}

/** The development mailbox, newest first. */
export async function listDevMailbox(pool: pg.Pool, limit = 50): Promise<DevMailboxEntry[]> {
  const { rows } = await pool.query<{
    id: string;
    email_id: string;
    sender: string;
    recipient: string;
    subject: string;
    html: string;
    text: string;
    headers: Record<string, string>;
    delivered_at: Date;
  }>(`SELECT * FROM dev_mailbox ORDER BY id DESC LIMIT $1`, [limit]);
  return rows.map((r) => ({
    id: String(r.id),
    emailId: r.email_id,
    from: r.sender,
    to: r.recipient,
    subject: r.subject,
    html: r.html,
    text: r.text,
    headers: r.headers,
    deliveredAt: r.delivered_at.toISOString(),
  }));
}
