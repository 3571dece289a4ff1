import { Link } from 'react-router-dom';
import { ApiError, api } from '../../lib/api';
import { formatDateTime, formatNumber, formatRelative, label, shortId } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';
import type { EmailQueue } from '../../lib/types';
import { useDeskQuery } from '../../lib/useDeskQuery';
import { Button, EmptyState, ErrorState, SkeletonRows } from '../ui';
import { OpsPanel, useOpsAction } from './OpsPanel';
import { SuppressedAddresses } from './SuppressedAddresses';

/** What Resend reported after taking an email, beside its queue state. */
const reportBadge: Record<string, string> = {
  sent: 'badge-blue',
  delayed: 'badge-amber',
  delivered: 'badge-green',
  bounced: 'badge-red',
  complained: 'badge-red',
};

const emailBadge: Record<string, string> = {
  pending: 'badge-blue',
  sending: 'badge-blue',
  retrying: 'badge-amber',
  sent: 'badge-green',
  failed: 'badge-red',
  dead: 'badge-red',
};

/**
 * The email outbox: counts by state, the latest emails with what Resend reported about them, and
 * retrying the failed ones; then the addresses no mail goes to. Polls.
 */
export function EmailQueueSection() {
  return (
    <>
      <EmailQueue />
      <SuppressedAddresses />
    </>
  );
}

function EmailQueue() {
  const queue = useDeskQuery({
    queryKey: queryKeys.emailQueue(),
    read: (signal) => api.get<EmailQueue>('/api/ops/email/queue', { signal, query: { limit: 50 } }),
    refetchInterval: 5000,
  });
  const { busy, error, run } = useOpsAction();

  const retry = (id: string | null) =>
    run(id ?? 'all', async () => {
      let done: string;
      if (id) {
        await api.post(`/api/ops/email/${id}/retry`);
        done = 'Email queued again';
      } else {
        const answer = await api.post<{ retried: number }>('/api/ops/email/retry-failed');
        done = `${answer.retried} email${answer.retried === 1 ? '' : 's'} queued again`;
      }
      await queue.reload();
      return done;
    });

  const q = queue.data;
  const failedCount = q ? q.stats.failed + q.stats.deadLettered : 0;
  const notBuilt = queue.error instanceof ApiError && queue.error.status === 404;
  return (
    <OpsPanel
      id="email-heading"
      title="Email queue"
      icon="mail"
      testId="email-queue"
      aside={
        <>
          {q ? <span className="badge">{q.delivery === 'resend' ? 'Resend' : 'Development mailbox'}</span> : null}
          <span className="spacer" />
          {failedCount > 0 ? (
            <Button size="sm" icon="refresh" busy={busy === 'all'} onClick={() => void retry(null)}>
              Retry all failed
            </Button>
          ) : null}
        </>
      }
      error={error}
    >
      {queue.loading ? (
        <SkeletonRows rows={3} />
      ) : notBuilt ? (
        <EmptyState icon="mail" title="The email queue is not available yet">
          This desk does not report its email queue yet.
        </EmptyState>
      ) : queue.error && !q ? (
        <ErrorState error={queue.error} onRetry={() => void queue.reload()} />
      ) : q ? (
        <>
          <div className="card-body">
            <div className="stats">
              {(
                [
                  ['Pending', q.stats.pending, false],
                  ['Retrying', q.stats.retrying, false],
                  ['Sent', q.stats.sent, false],
                  ['Failed', q.stats.failed, q.stats.failed > 0],
                  ['Dead-lettered', q.stats.deadLettered, q.stats.deadLettered > 0],
                ] as const
              ).map(([name, value, bad]) => (
                <div key={name} className={`stat${bad ? ' stat-bad' : ''}`}>
                  <div className="value">{formatNumber(value)}</div>
                  <div className="name">{name}</div>
                </div>
              ))}
            </div>
          </div>
          {q.emails.length === 0 ? (
            <EmptyState icon="mail" title="No emails yet" />
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">State</th>
                    <th scope="col" className="num">
                      Attempts
                    </th>
                    <th scope="col">Updated</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {q.emails.map((e) => (
                    <tr key={e.id}>
                      <td style={{ maxWidth: 360 }}>
                        <div
                          style={{
                            fontWeight: 500,
                            overflow: 'hidden',
                            textOverflow: 'ellipsis',
                            whiteSpace: 'nowrap',
                          }}
                        >
                          {e.subject}
                        </div>
                        <div className="small muted">
                          to {e.recipient} · {label(e.template)} ·{' '}
                          {e.threadId ? (
                            <Link to={`/admin/support?thread=${e.threadId}`}>thread {shortId(e.threadId)}</Link>
                          ) : (
                            'assignment guest link'
                          )}
                        </div>
                        {e.lastError ? (
                          <div className="small" style={{ color: 'var(--red)' }}>
                            {e.lastError}
                          </div>
                        ) : null}
                      </td>
                      <td>
                        <span className={`badge ${emailBadge[e.status] ?? ''}`}>
                          {e.status === 'dead' ? 'Dead-lettered' : label(e.status)}
                        </span>
                        {e.delivery ? (
                          <div>
                            <span
                              className={`badge ${reportBadge[e.delivery.state] ?? ''}`}
                              title={e.delivery.reason ?? formatDateTime(e.delivery.at)}
                              data-testid="delivery-report"
                            >
                              {label(e.delivery.state)}
                            </span>
                          </div>
                        ) : null}
                        {e.status === 'retrying' && e.nextAttemptAt ? (
                          <div className="small muted">next {formatRelative(e.nextAttemptAt)}</div>
                        ) : null}
                      </td>
                      <td className="num">{e.attempts}</td>
                      <td className="small muted nowrap" title={formatDateTime(e.updatedAt)}>
                        {formatRelative(e.updatedAt)}
                      </td>
                      <td>
                        {e.status === 'failed' || e.status === 'dead' ? (
                          <Button size="sm" busy={busy === e.id} onClick={() => void retry(e.id)}>
                            Retry
                          </Button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : null}
    </OpsPanel>
  );
}
