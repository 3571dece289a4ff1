import type { GuestLinkEvent } from '../domain/index.js';
import { loadRows, upsertRows, type Column } from './bulkSql.js';
import type { Projection } from './projection.js';

/** Guest links per thread or assignment: issued, expires, revoked. Never the token, only its hash (the link id). */
const columns: readonly Column[] = [
  ['link_id', 'text'],
  ['scope_kind', 'text'],
  ['thread_id', 'uuid'],
  ['assignment_id', 'text'],
  ['partner_org_id', 'text'],
  ['recipient_email', 'text'],
  ['issued_at', 'timestamptz'],
  ['expires_at', 'timestamptz'],
  ['issued_by_name', 'text'],
  ['revoked_at', 'timestamptz'],
  ['revoked_by_name', 'text'],
];

export const guestLinksProjection: Projection = {
  name: 'guestLinks',
  version: 1,
  tables: ['support_guest_links'],
  eventTypes: ['GuestLinkIssued', 'GuestLinkRevoked'],
  createTables: (t) => `
    CREATE TABLE ${t('support_guest_links')} (
      link_id text PRIMARY KEY,
      scope_kind text NOT NULL,
      thread_id uuid,
      assignment_id text,
      partner_org_id text,
      recipient_email text,
      issued_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      issued_by_name text NOT NULL,
      revoked_at timestamptz,
      revoked_by_name text
    );
  `,
  createIndexes: (t) => `
    CREATE INDEX ON ${t('support_guest_links')} (thread_id, issued_at DESC);
    CREATE INDEX ON ${t('support_guest_links')} (assignment_id, issued_at DESC);
  `,
  async apply(client, events, t) {
    const ids = [...new Set(events.map((e) => (e.event as GuestLinkEvent).data.tokenHash))];
    const existing = await loadRows<Record<string, unknown>>(client, t('support_guest_links'), 'link_id', ids);
    const changed = new Map<string, Record<string, unknown>>();
    const threadIds: string[] = [];
    for (const { event } of events) {
      const e = event as GuestLinkEvent;
      const id = e.data.tokenHash;
      if (e.type === 'GuestLinkIssued') {
        const scope = e.data.scope;
        changed.set(id, {
          link_id: id,
          scope_kind: scope.kind,
          thread_id: scope.kind === 'thread' ? scope.threadId : null,
          assignment_id: scope.kind === 'assignment' ? scope.assignmentId : null,
          partner_org_id: scope.kind === 'assignment' ? scope.partnerOrgId : null,
          recipient_email: e.data.recipientEmail,
          issued_at: e.data.issuedAt,
          expires_at: e.data.expiresAt,
          issued_by_name: e.data.by.name,
          revoked_at: null,
          revoked_by_name: null,
        });
        if (scope.kind === 'thread') threadIds.push(scope.threadId);
      } else {
        const row = changed.get(id) ?? existing.get(id);
        if (!row) continue;
        changed.set(id, { ...row, revoked_at: e.data.revokedAt, revoked_by_name: e.data.by.name });
        if (row.thread_id) threadIds.push(String(row.thread_id));
      }
    }
    await upsertRows(client, t('support_guest_links'), columns, ['link_id'], [...changed.values()]);
    return { threadIds };
  },
};
