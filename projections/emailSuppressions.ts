import { evolveSuppression, notSuppressed, type AddressSuppression } from '../domain/email/deliveryState.js';
import type { EmailAddressEvent } from '../domain/index.js';
import { loadRows, upsertRows, type Column } from './bulkSql.js';
import type { Projection } from './projection.js';

/**
 * The addresses the desk does not email (`email_suppressions`): one row per address that was
 * ever suppressed, from its `emailAddress-<hash>` stream. `active` says whether mail to it is
 * stopped now (a permanent bounce or a complaint, not cleared since). The email sender reads it
 * before each send; staff see the thread's suppressed recipients; admins clear them.
 */

export type EmailSuppressionRow = {
  address: string;
  active: boolean;
  reason: 'bounced' | 'complained' | null;
  email_id: string | null;
  suppressed_at: string | null;
  cleared_at: string | null;
  cleared_by: string | null;
  cleared_reason: string | null;
};

const columns: readonly Column[] = [
  ['address', 'text'],
  ['active', 'boolean'],
  ['reason', 'text'],
  ['email_id', 'text'],
  ['suppressed_at', 'timestamptz'],
  ['cleared_at', 'timestamptz'],
  ['cleared_by', 'text'],
  ['cleared_reason', 'text'],
];

function stateOf(row: EmailSuppressionRow | undefined): AddressSuppression {
  if (!row) return notSuppressed;
  const clearedAt = row.cleared_at ? new Date(row.cleared_at).toISOString() : null;
  if (!row.active || !row.reason || !row.email_id || !row.suppressed_at) return { suppressed: false, clearedAt };
  return {
    suppressed: true,
    reason: row.reason,
    emailId: row.email_id,
    since: new Date(row.suppressed_at).toISOString(),
    clearedAt,
  };
}

/** Folds one event of an address onto its row. */
export function foldSuppression(row: EmailSuppressionRow | undefined, event: EmailAddressEvent): EmailSuppressionRow {
  const state = evolveSuppression(stateOf(row), event);
  const cleared =
    event.type === 'EmailAddressSuppressionCleared'
      ? {
          cleared_at: event.data.occurredAt,
          cleared_by: event.data.by.name || event.data.by.id,
          cleared_reason: event.data.reason,
        }
      : {
          cleared_at: row?.cleared_at ?? null,
          cleared_by: row?.cleared_by ?? null,
          cleared_reason: row?.cleared_reason ?? null,
        };
  return {
    address: event.data.address,
    active: state.suppressed,
    reason: state.suppressed ? state.reason : null,
    email_id: state.suppressed ? state.emailId : null,
    suppressed_at: state.suppressed ? state.since : null,
    ...cleared,
  };
}

export const emailSuppressionsProjection: Projection = {
  name: 'emailSuppressions',
  version: 1,
  tables: ['email_suppressions'],
  eventTypes: ['EmailAddressSuppressed', 'EmailAddressSuppressionCleared'],
  createTables: (t) => `
    CREATE TABLE ${t('email_suppressions')} (
      address text PRIMARY KEY,
      active boolean NOT NULL,
      reason text,
      email_id text,
      suppressed_at timestamptz,
      cleared_at timestamptz,
      cleared_by text,
      cleared_reason text
    );
  `,
  createIndexes: (t) => `
    CREATE INDEX ON ${t('email_suppressions')} (suppressed_at DESC) WHERE active;
  `,
  partitionKey: (e) => (e.event as EmailAddressEvent).data.address,
  async apply(client, events, t) {
    const changes = events.map((e) => e.event as EmailAddressEvent);
    const current = await loadRows<EmailSuppressionRow>(
      client,
      t('email_suppressions'),
      'address',
      [...new Set(changes.map((c) => c.data.address))],
      columns,
    );
    const changed = new Map<string, EmailSuppressionRow>();
    for (const event of changes) {
      const address = event.data.address;
      changed.set(address, foldSuppression(changed.get(address) ?? current.get(address), event));
    }
    await upsertRows(client, t('email_suppressions'), columns, ['address'], [...changed.values()]);
    return { threadIds: [] };
  },
};
