import { ApiError, api } from '../../lib/api';
import { formatRelative } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';
import type { MailboxEmail } from '../../lib/types';
import { useDeskQuery } from '../../lib/useDeskQuery';
import { Icon } from '../Icon';
import { EmptyState, ErrorState, SkeletonRows } from '../ui';

/** The development mailbox: what was "delivered" locally when no email provider is configured. Polls. */
export function Mailbox() {
  const mailbox = useDeskQuery({
    queryKey: queryKeys.mailbox(),
    read: (signal) => api.get<{ emails: MailboxEmail[] }>('/api/ops/mailbox', { signal, query: { limit: 30 } }),
    refetchInterval: 5000,
  });
  const absent = mailbox.error instanceof ApiError && mailbox.error.status === 404;
  return (
    <section className="card" aria-labelledby="mailbox-heading" data-testid="mailbox">
      <div className="card-header">
        <Icon name="inbox" />
        <h2 id="mailbox-heading">Development mailbox</h2>
        <span className="spacer" />
        <span className="small muted">Emails “delivered” locally when no provider is configured</span>
      </div>
      {mailbox.loading ? (
        <SkeletonRows rows={3} />
      ) : absent ? (
        <EmptyState icon="mail" title="No development mailbox">
          Emails go to the real provider (or this desk has no local mailbox).
        </EmptyState>
      ) : mailbox.error && !mailbox.data ? (
        <ErrorState error={mailbox.error} onRetry={() => void mailbox.reload()} />
      ) : mailbox.data?.emails.length ? (
        <ul className="mail-list">
          {mailbox.data.emails.map((m) => (
            <li key={m.id}>
              <details>
                <summary>
                  <span style={{ minWidth: 0 }}>
                    <span
                      style={{
                        display: 'block',
                        fontWeight: 500,
                        overflow: 'hidden',
                        textOverflow: 'ellipsis',
                        whiteSpace: 'nowrap',
                      }}
                    >
                      {m.subject}
                    </span>
                    <span className="small muted">
                      {m.from} → {m.to}
                    </span>
                  </span>
                  <span className="small muted nowrap">{formatRelative(m.deliveredAt)}</span>
                </summary>
                {/* the text part, as text: the HTML part is never rendered */}
                <div className="mail-body">{m.text}</div>
              </details>
            </li>
          ))}
        </ul>
      ) : (
        <EmptyState icon="mail" title="The mailbox is empty">
          Raise a query to see the notification and acknowledgement emails here.
        </EmptyState>
      )}
    </section>
  );
}
