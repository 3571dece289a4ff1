import { createHash } from 'node:crypto';
import type pg from 'pg';
import {
  defaultSystemConfig,
  parseDomainEvent,
  type DomainEvent,
  type EmailTemplate,
  type MessagePosted,
  type QueryRaised,
} from '../../domain/index.js';
import {
  comparePositions,
  formatPosition,
  parsePosition,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '../../eventstore/port.js';
import { upsertRows, type Column } from '../../projections/bulkSql.js';
import {
  ELIDED_TOKEN,
  guestLinkUrl,
  renderEmail,
  type EmailAudience,
  type EmailContent,
  type EmailRecipient,
  type EmailSettings,
  type ThreadEmailFacts,
} from './templates.js';

/**
 * The email process manager: follows the log from its own checkpoint and turns the events that
 * need mail into outbox rows. A batch's outbox rows, the facts it learnt (threads, guest links,
 * settings) and the new checkpoint commit in one transaction, so each email is written exactly
 * once whatever crashes. Sending is someone else's job (EmailSender).
 */

/** Looks up the address of a partner account (the one who raised a thread). */
export interface AccountEmails {
  emailOf(accountId: string): Promise<string | undefined>;
}

export interface EmailProcessManagerOptions {
  pool: pg.Pool;
  eventStore: EventStore;
  accounts: AccountEmails;
  /** EMAIL_FROM, frozen into each row (a changed From must not change a retried request). */
  from: string;
  /** Events per read of the log. */
  batchSize?: number;
  /** The portal base URL until an admin sets one: where the desk serves (default http://127.0.0.1:3000). */
  defaultPortalBaseUrl?: () => string;
  /** Checkpoint row name; one per process manager. */
  checkpointName?: string;
  /**
   * What the very first run does with events already in the log: `send` (default) emails them
   * like any other; `skip` learns their facts (threads, links, settings) but sends nothing for
   * them — for turning email on over a log with history.
   */
  history?: 'send' | 'skip';
}

export interface BatchReport {
  /** Log events read (all types). */
  read: number;
  /** Outbox rows written (already present ones not counted). */
  enqueued: number;
  caughtUp: boolean;
}

const relevantTypes = new Set([
  'QueryRaised',
  'MessagePosted',
  'ThreadResolved',
  'GuestLinkIssued',
  'GuestLinkRevoked',
  'SystemConfigUpdated',
]);

/** hex SHA-256 of (event id, template, recipient): the outbox id and the provider's idempotency key. */
export function emailIdFor(eventId: string, template: EmailTemplate, recipient: string): string {
  return createHash('sha256').update(`${eventId}\n${template}\n${recipient.trim().toLowerCase()}`).digest('hex');
}

type ThreadRow = {
  thread_id: string;
  subject: string;
  reference: string;
  raised_by_kind: string;
  raised_by_id: string;
  raised_by_name: string;
  root_message_id: string;
  raised_at: string;
};

type LinkRow = {
  link_id: string;
  scope_kind: string;
  thread_id: string | null;
  recipient_email: string | null;
  expires_at: string;
  revoked_at: string | null;
};

type Settings = EmailSettings;

/**
 * What the sender renders a guest's email from when it sends it: only then is the link's token
 * rebuilt (and only if the link still works), so no token is ever stored in the outbox.
 */
export interface GuestRender {
  content: EmailContent;
  settings: EmailSettings;
}

/** Someone to email about an event; a guest comes with the link they were emailed for. */
interface Recipient {
  email: string;
  audience: EmailAudience;
  link?: LinkRow;
}

export interface OutboxRow {
  id: string;
  event_id: string;
  /** null: the email handing out an assignment's guest link. */
  thread_id: string | null;
  message_id: string | null;
  template: EmailTemplate;
  audience: EmailAudience;
  recipient: string;
  sender: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  guest_link_id: string | null;
  guest_render: GuestRender | null;
}

const threadColumns: readonly Column[] = [
  ['thread_id', 'uuid'],
  ['subject', 'text'],
  ['reference', 'text'],
  ['raised_by_kind', 'text'],
  ['raised_by_id', 'text'],
  ['raised_by_name', 'text'],
  ['root_message_id', 'uuid'],
  ['raised_at', 'timestamptz'],
];

const linkColumns: readonly Column[] = [
  ['link_id', 'text'],
  ['scope_kind', 'text'],
  ['thread_id', 'uuid'],
  ['recipient_email', 'text'],
  ['expires_at', 'timestamptz'],
  ['revoked_at', 'timestamptz'],
];

const outboxColumns: readonly Column[] = [
  ['id', 'text'],
  ['event_id', 'uuid'],
  ['thread_id', 'uuid'],
  ['message_id', 'uuid'],
  ['template', 'text'],
  ['audience', 'text'],
  ['recipient', 'text'],
  ['sender', 'text'],
  ['subject', 'text'],
  ['html', 'text'],
  ['text', 'text'],
  ['headers', 'jsonb'],
  ['guest_link_id', 'text'],
  ['guest_render', 'jsonb'],
];

function threadIdOf(event: DomainEvent): string | undefined {
  switch (event.type) {
    case 'QueryRaised':
    case 'MessagePosted':
    case 'ThreadResolved':
      return event.data.threadId;
    default:
      return undefined;
  }
}

function linkScope(link: LinkRow): 'thread' | 'assignment' {
  return link.scope_kind === 'assignment' ? 'assignment' : 'thread';
}

function isActive(link: LinkRow | undefined, at: string): link is LinkRow & { recipient_email: string } {
  return !!link && !!link.recipient_email && link.revoked_at === null && Date.parse(link.expires_at) > Date.parse(at);
}

export class EmailProcessManager {
  readonly checkpointName: string;
  private readonly batchSize: number;

  constructor(private readonly options: EmailProcessManagerOptions) {
    this.checkpointName = options.checkpointName ?? 'email';
    this.batchSize = options.batchSize ?? 500;
  }

  /** Processes batches until the log's head. */
  async catchUp(): Promise<{ read: number; enqueued: number }> {
    let read = 0;
    let enqueued = 0;
    for (;;) {
      const report = await this.processBatch();
      read += report.read;
      enqueued += report.enqueued;
      if (report.caughtUp) return { read, enqueued };
    }
  }

  async position(): Promise<string> {
    return (await this.checkpoint()).position;
  }

  /** The checkpoint row, created on first use (with `emails_from` at the head when history is skipped). */
  private async checkpoint(): Promise<{ position: string; emailsFrom: Position | null }> {
    const { pool, eventStore } = this.options;
    const read = () =>
      pool.query<{ position: string; emails_from: string | null }>(
        'SELECT position, emails_from FROM email_checkpoints WHERE name = $1',
        [this.checkpointName],
      );
    let { rows } = await read();
    if (!rows[0]) {
      const emailsFrom = this.options.history === 'skip' ? formatPosition(await eventStore.headPosition()) : null;
      await pool.query(
        'INSERT INTO email_checkpoints (name, emails_from) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
        [this.checkpointName, emailsFrom],
      );
      ({ rows } = await read());
    }
    const row = rows[0];
    if (!row) throw new Error(`email checkpoint ${this.checkpointName} could not be created`);
    return { position: row.position, emailsFrom: row.emails_from ? parsePosition(row.emails_from) : null };
  }

  /**
   * One batch: read after the checkpoint (outside the transaction, to keep it short), then lock
   * the checkpoint row; if another worker moved it meanwhile, give up this batch (it was done).
   */
  async processBatch(): Promise<BatchReport> {
    const { pool, eventStore } = this.options;
    const { position: seen, emailsFrom } = await this.checkpoint();
    const batch = await eventStore.readAll({ after: parsePosition(seen), limit: this.batchSize });
    if (batch.length === 0) return { read: 0, enqueued: 0, caughtUp: true };
    const last = formatPosition(batch[batch.length - 1]!.position);
    const events = batch.filter((r) => relevantTypes.has(r.type)).map((record) => ({ record, event: parse(record) }));
    if (events.length === 0) {
      // nothing that sends mail (the workers' own EmailDelivered, most often): move the
      // checkpoint in one statement, without waiting for the disk (a crash only re-reads them)
      await pool.query(
        `WITH moved AS (UPDATE email_checkpoints SET position = $2, updated_at = now() WHERE name = $1 AND position = $3 RETURNING 1)
         SELECT set_config('synchronous_commit', 'off', true), (SELECT count(*) FROM moved)`,
        [this.checkpointName, last, seen],
      );
      return { read: batch.length, enqueued: 0, caughtUp: batch.length < this.batchSize };
    }

    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ position: string }>(
        'SELECT position FROM email_checkpoints WHERE name = $1 FOR UPDATE',
        [this.checkpointName],
      );
      if (rows[0]?.position !== seen) {
        await client.query('ROLLBACK');
        return { read: 0, enqueued: 0, caughtUp: false };
      }
      const enqueued = events.length ? await this.apply(client, events, emailsFrom) : 0;
      await client.query('UPDATE email_checkpoints SET position = $2, updated_at = now() WHERE name = $1', [
        this.checkpointName,
        last,
      ]);
      await client.query('COMMIT');
      return { read: batch.length, enqueued, caughtUp: batch.length < this.batchSize };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async apply(
    client: pg.PoolClient,
    events: { record: RecordedEvent; event: DomainEvent }[],
    emailsFrom: Position | null,
  ): Promise<number> {
    // What this batch needs to know, loaded in a few statements.
    const threadIds = new Set<string>();
    const linkIds = new Set<string>();
    const assignmentIds = new Set<string>();
    for (const { event } of events) {
      const threadId = threadIdOf(event);
      if (threadId) threadIds.add(threadId);
      if (event.type === 'GuestLinkRevoked') linkIds.add(event.data.tokenHash);
      if (event.type === 'QueryRaised' && event.data.by.kind === 'guest') linkIds.add(event.data.by.id);
      if (event.type === 'GuestLinkIssued') {
        const { scope } = event.data;
        if (scope.kind === 'thread') threadIds.add(scope.threadId);
        else assignmentIds.add(scope.assignmentId);
      }
    }
    const threads = new Map<string, ThreadRow>();
    if (threadIds.size) {
      const { rows } = await client.query<ThreadRow>(
        `SELECT thread_id::text, subject, reference, raised_by_kind, raised_by_id, raised_by_name,
                root_message_id::text, to_json(raised_at)#>>'{}' AS raised_at
           FROM email_threads WHERE thread_id = ANY($1::uuid[])`,
        [[...threadIds]],
      );
      for (const row of rows) {
        threads.set(row.thread_id, row);
        if (row.raised_by_kind === 'guest') linkIds.add(row.raised_by_id);
      }
    }
    const links = new Map<string, LinkRow>();
    if (threadIds.size || linkIds.size) {
      const { rows } = await client.query<LinkRow>(
        `SELECT link_id, scope_kind, thread_id::text, recipient_email,
                to_json(expires_at)#>>'{}' AS expires_at, to_json(revoked_at)#>>'{}' AS revoked_at
           FROM email_guest_links WHERE link_id = ANY($1::text[]) OR thread_id = ANY($2::uuid[])`,
        [[...linkIds], [...threadIds]],
      );
      for (const row of rows) links.set(row.link_id, row);
    }
    // an assignment link's email names the assignment by its reference (A-1001), as people know it
    const references = new Map<string, string>();
    if (assignmentIds.size) {
      const { rows } = await client.query<{ assignment_id: string; reference: string }>(
        'SELECT assignment_id, reference FROM assignment_directory WHERE assignment_id = ANY($1::text[])',
        [[...assignmentIds]],
      );
      for (const row of rows) references.set(row.assignment_id, row.reference);
    }
    const { rows: settingRows } = await client.query<{ support_email: string; portal_base_url: string }>(
      'SELECT support_email, portal_base_url FROM email_settings',
    );
    let settings: Settings = settingRows[0]
      ? { supportEmail: settingRows[0].support_email, portalBaseUrl: settingRows[0].portal_base_url }
      : {
          supportEmail: defaultSystemConfig.supportEmail,
          portalBaseUrl: this.options.defaultPortalBaseUrl?.() ?? defaultSystemConfig.portalBaseUrl,
        };
    let settingsChanged = false;

    const changedThreads = new Map<string, ThreadRow>();
    const changedLinks = new Map<string, LinkRow>();
    const outbox = new Map<string, OutboxRow>();
    const accountEmails = new Map<string, string | undefined>();
    const emailOfAccount = async (accountId: string) => {
      if (!accountEmails.has(accountId)) accountEmails.set(accountId, await this.options.accounts.emailOf(accountId));
      return accountEmails.get(accountId);
    };

    /** Who raised the thread, as someone to email: a partner account, or a guest whose link still works. */
    const raiserOf = async (thread: ThreadRow, at: string): Promise<Recipient[]> => {
      if (thread.raised_by_kind === 'partner') {
        const email = await emailOfAccount(thread.raised_by_id);
        return email ? [{ email, audience: 'partner' }] : [];
      }
      if (thread.raised_by_kind === 'guest') {
        const link = links.get(thread.raised_by_id);
        return isActive(link, at) ? [{ email: link.recipient_email, audience: 'guest', link }] : [];
      }
      return [];
    };

    const enqueue = (
      record: RecordedEvent,
      threadId: string | null,
      content: EmailContent,
      recipients: Recipient[],
      messageId: string | null,
    ) => {
      if (emailsFrom && comparePositions(record.position, emailsFrom) <= 0) return; // history: facts only
      const seen = new Set<string>();
      for (const { email, audience, link } of recipients) {
        const recipient = email.trim();
        const key = recipient.toLowerCase();
        if (!recipient || seen.has(key)) continue;
        seen.add(key);
        // a guest's row names their link; what is stored is a preview with the token elided
        const to: EmailRecipient =
          audience === 'guest'
            ? {
                audience,
                link: link
                  ? {
                      state: 'working',
                      url: guestLinkUrl(settings.portalBaseUrl, ELIDED_TOKEN, linkScope(link), threadId),
                      expiresAt: link.expires_at,
                    }
                  : { state: 'unavailable' },
              }
            : { audience };
        const rendered = renderEmail(content, to, settings);
        const id = emailIdFor(record.id, content.template, recipient);
        outbox.set(id, {
          id,
          event_id: record.id,
          thread_id: threadId,
          message_id: messageId,
          template: content.template,
          audience,
          recipient,
          sender: this.options.from,
          ...rendered,
          guest_link_id: audience === 'guest' && link ? link.link_id : null,
          guest_render: audience === 'guest' && link ? { content, settings } : null,
        });
      }
    };

    const factsOf = (thread: ThreadRow): ThreadEmailFacts => ({
      threadId: thread.thread_id,
      subject: thread.subject,
      reference: thread.reference,
    });

    for (const { record, event } of events) {
      switch (event.type) {
        case 'SystemConfigUpdated':
          settings = { supportEmail: event.data.supportEmail, portalBaseUrl: event.data.portalBaseUrl };
          settingsChanged = true;
          break;
        case 'GuestLinkIssued': {
          const { scope } = event.data;
          const row: LinkRow = {
            link_id: event.data.tokenHash,
            scope_kind: scope.kind,
            thread_id: scope.kind === 'thread' ? scope.threadId : null,
            recipient_email: event.data.recipientEmail,
            expires_at: event.data.expiresAt,
            revoked_at: null,
          };
          if (!links.has(row.link_id)) {
            links.set(row.link_id, row);
            changedLinks.set(row.link_id, row);
          }
          // the recipient gets the link itself, once (the outbox id follows from this event).
          // A link without a seed (issued before links were emailed) has no token to rebuild.
          if (!event.data.recipientEmail || !event.data.tokenSeed) break;
          const recipients = [{ email: event.data.recipientEmail, audience: 'guest' as const, link: row }];
          const base = { template: 'guest_link_issued' as const, eventId: record.id, issuedByName: event.data.by.name };
          if (scope.kind === 'thread') {
            const thread = threads.get(scope.threadId);
            if (!thread) break; // a thread this worker never saw raised: nothing to name it by
            enqueue(
              record,
              thread.thread_id,
              { ...base, about: { kind: 'thread', thread: factsOf(thread) } },
              recipients,
              null,
            );
          } else {
            const about = {
              kind: 'assignment' as const,
              assignmentId: scope.assignmentId,
              reference: references.get(scope.assignmentId) ?? scope.assignmentId,
            };
            enqueue(record, null, { ...base, about }, recipients, null);
          }
          break;
        }
        case 'GuestLinkRevoked': {
          const link = links.get(event.data.tokenHash);
          if (link && link.revoked_at === null) {
            const row = { ...link, revoked_at: event.data.revokedAt };
            links.set(row.link_id, row);
            changedLinks.set(row.link_id, row);
          }
          break;
        }
        case 'QueryRaised': {
          if (threads.has(event.data.threadId)) break;
          const thread = this.threadFrom(event);
          threads.set(thread.thread_id, thread);
          changedThreads.set(thread.thread_id, thread);
          const base = { thread: factsOf(thread), messageId: event.data.messageId, body: event.data.body };
          enqueue(
            record,
            thread.thread_id,
            {
              ...base,
              template: 'query_raised_support',
              raisedByName: event.data.by.name,
              queryType: event.data.queryType,
              priority: event.data.priority,
            },
            [{ email: settings.supportEmail, audience: 'support' }],
            event.data.messageId,
          );
          enqueue(
            record,
            thread.thread_id,
            { ...base, template: 'query_raised_ack' },
            await raiserOf(thread, event.data.occurredAt),
            event.data.messageId,
          );
          break;
        }
        case 'MessagePosted': {
          const thread = threads.get(event.data.threadId);
          if (!thread || !this.isStaffReply(event)) break;
          // one email per address: a guest given several links gets the one that works longest
          const guests = [...links.values()]
            .filter((l) => l.scope_kind === 'thread' && l.thread_id === thread.thread_id)
            .filter((l) => isActive(l, event.data.occurredAt))
            .sort((a, b) => Date.parse(b.expires_at) - Date.parse(a.expires_at) || a.link_id.localeCompare(b.link_id))
            .map((l) => ({ email: l.recipient_email!, audience: 'guest' as const, link: l }));
          enqueue(
            record,
            thread.thread_id,
            {
              template: 'staff_reply',
              thread: factsOf(thread),
              messageId: event.data.messageId,
              body: event.data.body,
              authorName: event.data.by.name,
            },
            [...(await raiserOf(thread, event.data.occurredAt)), ...guests],
            event.data.messageId,
          );
          break;
        }
        case 'ThreadResolved': {
          const thread = threads.get(event.data.threadId);
          if (!thread) break;
          enqueue(
            record,
            thread.thread_id,
            { template: 'thread_resolved', thread: factsOf(thread), eventId: record.id },
            await raiserOf(thread, event.data.occurredAt),
            null,
          );
          break;
        }
        default:
          break;
      }
    }

    await upsertRows(client, 'email_threads', threadColumns, ['thread_id'], [...changedThreads.values()], 'nothing');
    await upsertRows(client, 'email_guest_links', linkColumns, ['link_id'], [...changedLinks.values()]);
    if (settingsChanged) {
      await client.query(
        `INSERT INTO email_settings (id, support_email, portal_base_url) VALUES (true, $1, $2)
         ON CONFLICT (id) DO UPDATE SET support_email = EXCLUDED.support_email, portal_base_url = EXCLUDED.portal_base_url`,
        [settings.supportEmail, settings.portalBaseUrl],
      );
    }
    if (outbox.size === 0) return 0;
    // ON CONFLICT DO NOTHING: a row written before (a replayed batch) keeps its state and attempts.
    const { rows } = await client.query<{ n: string }>(
      `WITH inserted AS (
         INSERT INTO email_outbox (${outboxColumns.map(([n]) => n).join(', ')})
         SELECT ${outboxColumns.map(([n]) => n).join(', ')}
           FROM jsonb_to_recordset($1::jsonb) AS r(${outboxColumns.map(([n, t]) => `${n} ${t}`).join(', ')})
         ON CONFLICT (id) DO NOTHING RETURNING 1)
       SELECT count(*) AS n FROM inserted`,
      [JSON.stringify([...outbox.values()])],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Only a staff member's external reply is emailed; internal notes never are. */
  private isStaffReply(event: MessagePosted): boolean {
    return event.data.visibility === 'external' && event.data.by.kind === 'staff';
  }

  private threadFrom(event: QueryRaised): ThreadRow {
    const d = event.data;
    return {
      thread_id: d.threadId,
      subject: d.subject,
      reference: d.assignmentReference,
      raised_by_kind: d.by.kind,
      raised_by_id: d.by.id,
      raised_by_name: d.by.name,
      root_message_id: d.messageId,
      raised_at: d.occurredAt,
    };
  }
}

/**
 * A stored event the email code cannot read (say, a newer schema version written by a newer
 * release) stops the process manager rather than losing its email: it retries with backoff.
 */
function parse(record: RecordedEvent): DomainEvent {
  const version = typeof record.metadata.schemaVersion === 'number' ? record.metadata.schemaVersion : 1;
  return parseDomainEvent(record.type, record.data, version);
}
