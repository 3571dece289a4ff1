import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type pg from 'pg';
import type { AttachmentData, GetReceivingEmailResponseSuccess, InboundAttachment } from 'resend';
import { bareAddress } from '../replyAddress.js';
import type { ReceivingApi } from './inboundWorker.js';
import { recordWebhookDelivery } from './resendWebhookDeliveries.js';

/**
 * Receiving without Resend (no RESEND_API_KEY): "Reply as the recipient" in the development
 * mailbox writes the reply the recipient's mail program would have sent (to the Reply-To the
 * email carried, with In-Reply-To and References, the original quoted below it) into
 * `dev_inbound_emails`, and records an `email.received` delivery for it as the webhook route
 * records Resend's. The inbound worker fetches it through `devReceivingApi` instead of
 * `emails.receiving.get`; from there on it is the same path: the reply address's signature is
 * checked, References are matched, the quoted history is cut off, noise is ignored.
 */

/**
 * A stored reply: the received email as Resend would answer it, and the bytes of its files
 * (base64, by attachment id), which Resend would serve behind download URLs.
 */
type StoredReply = GetReceivingEmailResponseSuccess & { dev_files?: Record<string, string> };

/** The download URL of a file of a stored reply: read from its row, it never expires. */
const devDownloadUrl = (emailId: string, id: string) => `dev-mailbox:${emailId}/${id}`;

/** The receiving API of the development mailbox: the replies `replyAsRecipient` stored, and their files. */
export function devReceivingApi(pool: pg.Pool): ReceivingApi {
  const stored = async (id: string): Promise<StoredReply | undefined> => {
    const { rows } = await pool.query<{ email: StoredReply }>(
      'SELECT email FROM dev_inbound_emails WHERE id::text = $1',
      [id],
    );
    return rows[0]?.email;
  };
  const notFound = (what: string) => ({ data: null, error: { name: 'not_found', message: `${what} not found.` } });
  const attachmentData = (emailId: string, a: InboundAttachment): AttachmentData => ({
    id: a.id,
    ...(a.filename === null ? {} : { filename: a.filename }),
    size: a.size,
    content_type: a.content_type,
    content_disposition: a.content_disposition === 'inline' ? 'inline' : 'attachment',
    ...(a.content_id === null ? {} : { content_id: a.content_id }),
    download_url: devDownloadUrl(emailId, a.id),
    expires_at: '9999-12-31T23:59:59.999Z',
  });
  return {
    async get(id) {
      const email = await stored(id);
      if (!email) return notFound('Email');
      const { dev_files: _files, ...received } = email;
      return { data: received, error: null };
    },
    attachments: {
      async list({ emailId }) {
        const email = await stored(emailId);
        if (!email) return notFound('Email');
        return { data: { data: email.attachments.map((a) => attachmentData(emailId, a)) }, error: null };
      },
      async get({ emailId, id }) {
        const found = (await stored(emailId))?.attachments.find((a) => a.id === id);
        return found ? { data: attachmentData(emailId, found), error: null } : notFound('Attachment');
      },
      async download(url) {
        const [, emailId, id] = /^dev-mailbox:([^/]+)\/(.+)$/.exec(url) ?? [];
        const content = emailId && id ? (await stored(emailId))?.dev_files?.[id] : undefined;
        if (content === undefined) return { kind: 'refused', status: 404 };
        return { kind: 'ok', body: Readable.from([Buffer.from(content, 'base64')]) };
      },
    },
  };
}

/** A file the development mailbox's reply carries, as the recipient's mail program would attach it. */
export interface DevReplyFile {
  fileName: string;
  contentType: string;
  content: Buffer;
}

interface MailboxRow {
  id: string;
  sender: string;
  recipient: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
  delivered_at: Date;
}

export type ReplyAsRecipientResult =
  { ok: true; emailId: string; deliveryId: string; from: string; to: string } | { ok: false; reason: 'not_found' };

/** The reply of the recipient of development mailbox email `mailboxId`, received as Resend would announce it. */
export async function replyAsRecipient(
  pool: pg.Pool,
  mailboxId: string,
  text: string,
  now: Date = new Date(),
  files: readonly DevReplyFile[] = [],
): Promise<ReplyAsRecipientResult> {
  const { rows } = await pool.query<MailboxRow>(
    'SELECT id::text, sender, recipient, subject, text, headers, delivered_at FROM dev_mailbox WHERE id::text = $1',
    [mailboxId],
  );
  const original = rows[0];
  if (!original) return { ok: false, reason: 'not_found' };
  const email = replyEmailOf(original, text, now);
  const devFiles: Record<string, string> = {};
  for (const file of files) {
    const id = randomUUID();
    email.attachments.push({
      id,
      filename: file.fileName,
      size: file.content.length,
      content_type: file.contentType,
      content_id: null,
      content_disposition: 'attachment',
    });
    devFiles[id] = file.content.toString('base64');
  }
  const stored: StoredReply = files.length ? { ...email, dev_files: devFiles } : email;
  await pool.query(
    'INSERT INTO dev_inbound_emails (id, email, reply_to_mailbox_id, created_at) VALUES ($1, $2, $3, $4)',
    [email.id, JSON.stringify(stored), original.id, now],
  );
  const deliveryId = `dev_${randomUUID()}`;
  await recordWebhookDelivery(pool, {
    svixId: deliveryId,
    eventType: 'email.received',
    receivedAt: now,
    payload: {
      type: 'email.received',
      created_at: now.toISOString(),
      data: {
        email_id: email.id,
        created_at: email.created_at,
        from: email.from,
        to: email.to,
        cc: [],
        subject: email.subject,
        message_id: email.message_id,
      },
    },
  });
  return { ok: true, emailId: email.id, deliveryId, from: email.from, to: email.to[0]! };
}

/** What the recipient's mail program sends on "Reply": to the Reply-To (else the From), threaded, the original quoted. */
export function replyEmailOf(
  original: Pick<MailboxRow, 'sender' | 'recipient' | 'subject' | 'text' | 'headers' | 'delivered_at'>,
  text: string,
  now: Date,
): GetReceivingEmailResponseSuccess {
  const header = (name: string) =>
    Object.entries(original.headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  const id = randomUUID();
  const messageId = `<dev-reply-${id}@mailbox.localhost>`;
  const parent = header('Message-ID');
  const references = [header('References'), parent].filter(Boolean).join(' ');
  const to = header('Reply-To') ?? original.sender;
  const quoted = original.text
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n');
  const body = `${text.trim()}\n\nOn ${original.delivered_at.toUTCString()}, ${original.sender} wrote:\n${quoted}\n`;
  return {
    object: 'email',
    id,
    to: [to],
    from: original.recipient,
    created_at: now.toISOString(),
    subject: /^re:/i.test(original.subject) ? original.subject : `Re: ${original.subject}`,
    bcc: [],
    cc: [],
    reply_to: [],
    received_for: [bareAddress(to)],
    html: null,
    text: body,
    headers: {
      'Message-ID': messageId,
      ...(parent ? { 'In-Reply-To': parent } : {}),
      ...(references ? { References: references } : {}),
    },
    message_id: messageId,
    raw: null,
    attachments: [],
  };
}
