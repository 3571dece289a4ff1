import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Icon } from '../components/Icon';
import { useToast } from '../components/Toasts';
import { Alert, Button, EmptyState, ErrorState, SkeletonRows } from '../components/ui';
import { ApiError, api, errorText } from '../lib/api';
import { formatDateTime, formatDuration, formatNumber, formatRelative, label, shortId } from '../lib/format';
import type { EmailQueue, MailboxEmail, ProjectionStatus } from '../lib/types';
import { useResource } from '../lib/useResource';

/** Re-reads on a timer while the tab is visible (faster while something is moving). */
function usePoll(reload: () => unknown, ms: number) {
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, ms);
    return () => clearInterval(timer);
  }, [reload, ms]);
}

/** The commit part of a log position ("1234-1234" → 1234): how far a projection has read. */
function positionText(position: string): string {
  if (position.startsWith('-1')) return '0';
  return position.split('-')[0] ?? position;
}

function Projections() {
  const toast = useToast();
  const list = useResource((signal) => api.get<{ items: ProjectionStatus[] }>('/api/ops/projections', { signal }), []);
  const [starting, setStarting] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const rebuilding = list.data?.items.some((p) => p.building) ?? false;
  usePoll(list.reload, rebuilding || starting ? 1000 : 4000);

  async function rebuild(name: string) {
    setStarting(name);
    setError(null);
    try {
      await api.post(`/api/ops/projections/${encodeURIComponent(name)}/rebuild`);
      toast(`Rebuild of ${name} started`);
      await list.reload();
    } catch (e) {
      setError(
        e instanceof ApiError && e.code === 'rebuild_running'
          ? `A rebuild of ${name} is already running.`
          : errorText(e),
      );
    } finally {
      setStarting(null);
    }
  }

  return (
    <section className="card" aria-labelledby="projections-heading" data-testid="projections">
      <div className="card-header">
        <Icon name="database" />
        <h2 id="projections-heading">Projections</h2>
        <span className="spacer" />
        <span className="small muted">Read models, rebuilt blue/green without downtime</span>
      </div>
      {error ? (
        <div style={{ padding: '12px 20px 0' }}>
          <Alert kind="error">{error}</Alert>
        </div>
      ) : null}
      {list.loading ? (
        <SkeletonRows rows={3} />
      ) : list.error && !list.data ? (
        <ErrorState error={list.error} onRetry={() => void list.reload()} />
      ) : list.data?.items.length ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Projection</th>
                <th scope="col">Generation</th>
                <th scope="col" className="num">
                  Position
                </th>
                <th scope="col" className="num">
                  Lag
                </th>
                <th scope="col" className="num">
                  Events/s
                </th>
                <th scope="col">Rebuild</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((p) => {
                const live = p.live;
                const building = p.building;
                const percent = building ? Math.round(Math.min(1, Math.max(0, building.progress)) * 100) : 0;
                return (
                  <tr key={p.name} data-testid={`projection-${p.name}`}>
                    <td>
                      <strong>{p.name}</strong>
                      <div className="small muted">code v{p.codeVersion}</div>
                      {live?.lastError ? (
                        <div className="small" style={{ color: 'var(--red)' }}>
                          {live.lastError}
                        </div>
                      ) : null}
                    </td>
                    <td>
                      {live ? (
                        <span className={`badge ${live.lastError ? 'badge-red' : 'badge-green'}`}>
                          g{live.generation} {live.lastError ? 'halted' : label(live.status)}
                        </span>
                      ) : (
                        <span className="badge badge-amber">no live generation</span>
                      )}
                    </td>
                    <td className="num mono">{live ? positionText(live.position) : '—'}</td>
                    <td className="num">
                      {p.lagEvents === null ? (
                        '—'
                      ) : (
                        <span className={p.lagEvents > 1000 ? 'badge badge-amber' : ''}>
                          {formatNumber(p.lagEvents)}
                          {p.lagCapped ? '+' : ''}
                        </span>
                      )}
                    </td>
                    <td className="num">{live ? formatNumber(live.eventsPerSecond) : '—'}</td>
                    <td style={{ minWidth: 220 }}>
                      {building ? (
                        <div className="stack-sm">
                          <div
                            className="progress"
                            role="progressbar"
                            aria-label={`Rebuild of ${p.name}`}
                            aria-valuemin={0}
                            aria-valuemax={100}
                            aria-valuenow={percent}
                          >
                            <span style={{ width: `${percent}%` }} />
                          </div>
                          <span className="small muted" data-testid={`rebuild-progress-${p.name}`}>
                            g{building.generation}: {percent}% · {formatNumber(building.eventsProcessed)}
                            {building.eventsTotal !== null ? ` of ${formatNumber(building.eventsTotal)}` : ''} events ·{' '}
                            {formatNumber(building.eventsPerSecond)}/s ·{' '}
                            {building.etaSeconds !== null
                              ? `ETA ${formatDuration(Math.round(building.etaSeconds))}`
                              : 'ETA after the first batch'}
                          </span>
                        </div>
                      ) : (
                        <div className="row">
                          <Button
                            size="sm"
                            icon="refresh"
                            busy={starting === p.name}
                            onClick={() => void rebuild(p.name)}
                          >
                            Rebuild
                          </Button>
                          {live?.liveAt ? (
                            <span className="small muted">live {formatRelative(live.liveAt)}</span>
                          ) : null}
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <EmptyState icon="database" title="No projections" />
      )}
    </section>
  );
}

const emailBadge: Record<string, string> = {
  pending: 'badge-blue',
  sending: 'badge-blue',
  retrying: 'badge-amber',
  sent: 'badge-green',
  failed: 'badge-red',
  dead: 'badge-red',
};

function EmailQueueSection() {
  const toast = useToast();
  const queue = useResource(
    (signal) => api.get<EmailQueue>('/api/ops/email/queue', { signal, query: { limit: 50 } }),
    [],
  );
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  usePoll(queue.reload, 5000);

  async function retry(id: string | null) {
    setBusy(id ?? 'all');
    setError(null);
    try {
      if (id) {
        await api.post(`/api/ops/email/${id}/retry`);
        toast('Email queued again');
      } else {
        const answer = await api.post<{ retried: number }>('/api/ops/email/retry-failed');
        toast(`${answer.retried} email${answer.retried === 1 ? '' : 's'} queued again`);
      }
      await queue.reload();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  }

  const q = queue.data;
  const failedCount = q ? q.stats.failed + q.stats.deadLettered : 0;
  const notBuilt = queue.error instanceof ApiError && queue.error.status === 404;
  return (
    <section className="card" aria-labelledby="email-heading" data-testid="email-queue">
      <div className="card-header">
        <Icon name="mail" />
        <h2 id="email-heading">Email queue</h2>
        {q ? <span className="badge">{q.delivery === 'resend' ? 'Resend' : 'Development mailbox'}</span> : null}
        <span className="spacer" />
        {failedCount > 0 ? (
          <Button size="sm" icon="refresh" busy={busy === 'all'} onClick={() => void retry(null)}>
            Retry all failed
          </Button>
        ) : null}
      </div>
      {error ? (
        <div style={{ padding: '12px 20px 0' }}>
          <Alert kind="error">{error}</Alert>
        </div>
      ) : null}
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
    </section>
  );
}

function Mailbox() {
  const mailbox = useResource(
    (signal) => api.get<{ emails: MailboxEmail[] }>('/api/ops/mailbox', { signal, query: { limit: 30 } }),
    [],
  );
  usePoll(mailbox.reload, 5000);
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

/** /ops: projections (position, lag, rate, rebuild with progress), the email queue, the dev mailbox. */
export function OpsPage() {
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Operations</h1>
          <p>Read models, email delivery and the local mailbox. Refreshes on its own.</p>
        </div>
      </div>
      <div className="stack" style={{ gap: 20 }}>
        <Projections />
        <EmailQueueSection />
        <Mailbox />
      </div>
    </div>
  );
}
