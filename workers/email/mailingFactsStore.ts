import type pg from 'pg';
import { defaultSystemConfig } from '../../domain/index.js';
import { prepared, upsertRows, type Column } from '../../projections/bulkSql.js';
import type { ProjectedEvent } from '../../projections/projection.js';
import type {
  AssigneeRow,
  LearntFacts,
  LinkRow,
  MailingFacts,
  MessageIdRow,
  StaffRecipient,
  ThreadMessageIds,
  ThreadRow,
} from './mailingFacts.js';
import type { OutboxRow } from './outboxRows.js';
import { LATEST_IDS_KEPT } from './threadingHeaders.js';

/**
 * Where the email process manager keeps what it knows (email_threads, email_guest_links,
 * email_settings, email_thread_message_ids) and where its decisions go (email_outbox): loaded and written inside the
 * batch's transaction, a few statements per batch whatever its size.
 */

const threadColumns: readonly Column[] = [
  ['thread_id', 'uuid'],
  ['subject', 'text'],
  ['reference', 'text'],
  ['raised_by_kind', 'text'],
  ['raised_by_id', 'text'],
  ['raised_by_name', 'text'],
  ['root_message_id', 'uuid'],
  ['raised_at', 'timestamptz'],
  ['assignee_id', 'text'],
  ['partner_org_id', 'text'],
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
  ['satisfaction_render', 'jsonb'],
];

const messageIdColumns: readonly Column[] = [
  ['thread_id', 'uuid'],
  ['message_id', 'text'],
  ['direction', 'text'],
  ['at', 'timestamptz'],
  ['email_id', 'text'],
];

/**
 * The facts kept in the tables; partner addresses, staff recipients, the sender, the reply
 * addresses and the history mark come from elsewhere.
 */
export type StoredFacts = Pick<
  MailingFacts,
  'threads' | 'links' | 'assignmentReferences' | 'settings' | 'notifyTeamOfUnassigned' | 'threadMessageIds'
>;

/** What a batch of events needs to know: its threads, the links it names or its threads have, the settings. */
export async function loadMailingFacts(
  client: pg.PoolClient,
  events: readonly ProjectedEvent[],
  defaultPortalBaseUrl: (() => string) | undefined,
): Promise<StoredFacts> {
  const threadIds = new Set<string>();
  const linkIds = new Set<string>();
  const assignmentIds = new Set<string>();
  for (const { event } of events) {
    if (
      event.type === 'QueryRaised' ||
      event.type === 'MessagePosted' ||
      event.type === 'ThreadResolved' ||
      event.type === 'ThreadAssigned' ||
      event.type === 'SatisfactionSurveyOffered'
    ) {
      threadIds.add(event.data.threadId);
    }
    if (event.type === 'SatisfactionSurveyOffered' && event.data.recipient.kind === 'guest') {
      linkIds.add(event.data.recipient.id);
    }
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
              root_message_id::text, to_json(raised_at)#>>'{}' AS raised_at, assignee_id, partner_org_id
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
  const assignmentReferences = new Map<string, string>();
  if (assignmentIds.size) {
    const { rows } = await client.query<{ assignment_id: string; reference: string }>(
      'SELECT assignment_id, reference FROM assignment_directory WHERE assignment_id = ANY($1::text[])',
      [[...assignmentIds]],
    );
    for (const row of rows) assignmentReferences.set(row.assignment_id, row.reference);
  }
  const { rows: settingRows } = await client.query<{
    support_email: string;
    portal_base_url: string;
    notify_team_of_unassigned: boolean;
  }>('SELECT support_email, portal_base_url, notify_team_of_unassigned FROM email_settings');
  const settings = settingRows[0]
    ? { supportEmail: settingRows[0].support_email, portalBaseUrl: settingRows[0].portal_base_url }
    : {
        supportEmail: defaultSystemConfig.supportEmail,
        portalBaseUrl: defaultPortalBaseUrl?.() ?? defaultSystemConfig.portalBaseUrl,
      };
  return {
    threads,
    links,
    assignmentReferences,
    settings,
    notifyTeamOfUnassigned: settingRows[0]?.notify_team_of_unassigned ?? defaultSystemConfig.notifyTeamOfUnassigned,
    threadMessageIds: await loadThreadMessageIds(client, threadIds),
  };
}

/** Each thread's first Message-ID, its latest ones and its latest inbound one, in the order they came. */
async function loadThreadMessageIds(
  client: pg.PoolClient,
  threadIds: ReadonlySet<string>,
): Promise<Map<string, ThreadMessageIds>> {
  const known = new Map<string, { ids: string[]; latestInbound: string | null }>();
  if (threadIds.size === 0) return known;
  const { rows } = await client.query<{ thread_id: string; message_id: string; direction: string }>(
    `SELECT thread_id::text, message_id, direction FROM (
       SELECT thread_id, message_id, direction, at, seq,
              row_number() OVER (PARTITION BY thread_id ORDER BY at, seq) AS from_first,
              row_number() OVER (PARTITION BY thread_id ORDER BY at DESC, seq DESC) AS from_last,
              row_number() OVER (PARTITION BY thread_id, direction ORDER BY at DESC, seq DESC) AS latest_of_direction
         FROM email_thread_message_ids WHERE thread_id = ANY($1::uuid[])) t
      WHERE from_first = 1 OR from_last <= $2 OR (direction = 'inbound' AND latest_of_direction = 1)
      ORDER BY thread_id, at, seq`,
    [[...threadIds], LATEST_IDS_KEPT],
  );
  for (const row of rows) {
    const thread = known.get(row.thread_id) ?? { ids: [], latestInbound: null };
    thread.ids.push(row.message_id);
    if (row.direction === 'inbound') thread.latestInbound = row.message_id;
    known.set(row.thread_id, thread);
  }
  return known;
}

/** Keeps what a batch taught: a thread is written once, a link as it is now, the settings when they changed. */
export async function saveLearntFacts(client: pg.PoolClient, learnt: LearntFacts): Promise<void> {
  await upsertRows(client, 'email_threads', threadColumns, ['thread_id'], learnt.threads, 'nothing');
  await upsertRows(client, 'email_guest_links', linkColumns, ['link_id'], learnt.links);
  await recordAssignees(client, learnt.assignees ?? []);
  await recordMessageIds(client, learnt.messageIds ?? []);
  if (learnt.settings) {
    await client.query(
      `INSERT INTO email_settings (id, support_email, portal_base_url, notify_team_of_unassigned)
       VALUES (true, $1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET support_email = EXCLUDED.support_email, portal_base_url = EXCLUDED.portal_base_url,
                                      notify_team_of_unassigned = EXCLUDED.notify_team_of_unassigned`,
      [
        learnt.settings.supportEmail,
        learnt.settings.portalBaseUrl,
        learnt.notifyTeamOfUnassigned ?? defaultSystemConfig.notifyTeamOfUnassigned,
      ],
    );
  }
}

/** Each thread's latest assignee (a thread email never saw raised has no row, and stays so). */
async function recordAssignees(client: pg.PoolClient, assignees: readonly AssigneeRow[]): Promise<void> {
  if (assignees.length === 0) return;
  await client.query(
    `UPDATE email_threads t SET assignee_id = r.assignee_id
       FROM jsonb_to_recordset($1::jsonb) AS r(thread_id uuid, assignee_id text)
      WHERE t.thread_id = r.thread_id`,
    [JSON.stringify(assignees)],
  );
}

/**
 * The staff to tell about partners' messages, by account id: enabled admins and agents, with
 * their address and whether they want these emails (account_preferences; on without a row).
 * Looked up when the event is processed, like partners' addresses.
 */
export async function loadStaffRecipients(
  client: pg.PoolClient,
  accountIds: ReadonlySet<string>,
): Promise<Map<string, StaffRecipient | undefined>> {
  const known = new Map<string, StaffRecipient | undefined>([...accountIds].map((id) => [id, undefined]));
  if (accountIds.size === 0) return known;
  const { rows } = await client.query<{ id: string; email: string; notify: boolean }>(
    `SELECT a.id::text, a.email, coalesce(p.notify_on_partner_messages, true) AS notify
       FROM accounts a LEFT JOIN account_preferences p ON p.account_id = a.id
      WHERE a.id::text = ANY($1::text[]) AND a.role IN ('admin', 'agent') AND NOT a.disabled`,
    [[...accountIds]],
  );
  for (const row of rows) known.set(row.id, { email: row.email, notify: row.notify });
  return known;
}

/**
 * The organisations of enabled partner accounts, by account id (a survey goes only to a partner
 * who can still see the thread). Looked up when the event is processed, like partners' addresses.
 */
export async function loadPartnerOrgs(
  client: pg.PoolClient,
  accountIds: ReadonlySet<string>,
): Promise<Map<string, string | undefined>> {
  const known = new Map<string, string | undefined>([...accountIds].map((id) => [id, undefined]));
  if (accountIds.size === 0) return known;
  const { rows } = await client.query<{ id: string; partner_org_id: string }>(
    `SELECT id::text, partner_org_id FROM accounts
      WHERE id::text = ANY($1::text[]) AND role = 'partner' AND NOT disabled`,
    [[...accountIds]],
  );
  for (const row of rows) known.set(row.id, row.partner_org_id);
  return known;
}

/** Records the Message-IDs sent, in the order they were decided (seq follows it); one recorded before keeps its place. */
async function recordMessageIds(client: pg.PoolClient, ids: readonly MessageIdRow[]): Promise<void> {
  if (ids.length === 0) return;
  const names = messageIdColumns.map(([n]) => n).join(', ');
  await client.query(
    prepared(
      `INSERT INTO email_thread_message_ids (${names})
       SELECT ${names}
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (${messageIdColumns.map(([n, t]) => `${n} ${t}`).join(', ')}))
              WITH ORDINALITY AS r(${names}, n)
        ORDER BY n
       ON CONFLICT (thread_id, message_id) DO NOTHING`,
      [JSON.stringify(ids)],
    ),
  );
}

/** Writes the outbox rows; answers how many are new (a row written before keeps its state and attempts). */
export async function queueEmails(client: pg.PoolClient, emails: readonly OutboxRow[]): Promise<number> {
  if (emails.length === 0) return 0;
  const { rows } = await client.query<{ n: string }>(
    `WITH inserted AS (
       INSERT INTO email_outbox (${outboxColumns.map(([n]) => n).join(', ')})
       SELECT ${outboxColumns.map(([n]) => n).join(', ')}
         FROM jsonb_to_recordset($1::jsonb) AS r(${outboxColumns.map(([n, t]) => `${n} ${t}`).join(', ')})
       ON CONFLICT (id) DO NOTHING RETURNING 1)
     SELECT count(*) AS n FROM inserted`,
    [JSON.stringify(emails)],
  );
  return Number(rows[0]?.n ?? 0);
}
