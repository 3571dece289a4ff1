import { useState } from 'react';
import { api, errorText } from '../../lib/api';
import { formatDateTime, formatRelative } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';
import type { DeadInboundList } from '../../lib/types';
import { useDeskQuery } from '../../lib/useDeskQuery';
import { Icon } from '../Icon';
import { useToast } from '../Toasts';
import { Alert, Button, EmptyState, ErrorState, SkeletonRows } from '../ui';

/**
 * Inbound mail deliveries the worker gave up on after its last attempt (a fetch from Resend that
 * kept failing), and a Retry that makes one due again: the worker then takes it on its next round.
 */
export function DeadInboundSection() {
  const toast = useToast();
  const dead = useDeskQuery({
    queryKey: queryKeys.deadInbound(),
    read: (signal) => api.get<DeadInboundList>('/api/ops/inbound/dead', { signal }),
    refetchInterval: 10_000,
  });
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function retry(svixId: string) {
    setBusy(svixId);
    setError(null);
    try {
      await api.post(`/api/ops/inbound/dead/${encodeURIComponent(svixId)}/retry`);
      toast('Delivery queued again');
      await dead.reload();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  }

  const d = dead.data;
  return (
    <section className="card" aria-labelledby="dead-inbound-heading" data-testid="dead-inbound">
      <div className="card-header">
        <Icon name="alert" />
        <h2 id="dead-inbound-heading">Dead-lettered inbound mail</h2>
        {d ? <span className={`badge${d.dead > 0 ? ' badge-red' : ''}`}>{d.dead}</span> : null}
      </div>
      {error ? (
        <div style={{ padding: '12px 20px 0' }}>
          <Alert kind="error">{error}</Alert>
        </div>
      ) : null}
      {dead.loading ? (
        <SkeletonRows rows={2} />
      ) : dead.error && !d ? (
        <ErrorState error={dead.error} onRetry={() => void dead.reload()} />
      ) : d && d.items.length === 0 ? (
        <EmptyState icon="mail" title="Nothing dead-lettered">
          Every received email was fetched.
        </EmptyState>
      ) : d ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Delivery</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Last error</th>
                <th scope="col">Given up</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((item) => (
                <tr key={item.svixId}>
                  <td>
                    <div style={{ fontWeight: 500 }}>{item.svixId}</div>
                    <div className="small muted">
                      {item.type}
                      {item.emailId ? ` · email ${item.emailId}` : ''}
                    </div>
                  </td>
                  <td className="num">{item.attempts}</td>
                  <td className="small" style={{ color: 'var(--red)', maxWidth: 360 }}>
                    {item.lastError ?? ''}
                  </td>
                  <td className="small muted nowrap" title={formatDateTime(item.deadAt)}>
                    {formatRelative(item.deadAt)}
                  </td>
                  <td>
                    <Button size="sm" busy={busy === item.svixId} onClick={() => void retry(item.svixId)}>
                      Retry
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
