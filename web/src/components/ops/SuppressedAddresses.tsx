import { useState, type FormEvent } from 'react';
import { api, errorText } from '../../lib/api';
import { formatDateTime, formatRelative } from '../../lib/format';
import { isAdmin, useIdentity } from '../../lib/session';
import type { components } from '../../lib/api-types';
import { useDeskQuery } from '../../lib/useDeskQuery';
import { Icon } from '../Icon';
import { useToast } from '../Toasts';
import { Alert, Button, EmptyState, ErrorState, Field, SkeletonRows } from '../ui';

type Suppression = components['schemas']['EmailSuppression'];

const reasonText: Record<string, string> = {
  bounced: 'Bounced (permanently)',
  complained: 'Marked as spam',
};

/**
 * The addresses no mail goes to (a permanent bounce or a complaint). Admins clear one, with a
 * reason, after checking the address works again; ops see the list. Polls.
 */
export function SuppressedAddresses() {
  const identity = useIdentity();
  const admin = isAdmin(identity);
  const toast = useToast();
  const list = useDeskQuery({
    queryKey: ['ops', 'email-suppressions'] as const,
    read: (signal) => api.get<{ items: Suppression[] }>('/api/email/suppressions', { signal }),
    refetchInterval: 10_000,
  });
  const [clearing, setClearing] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function clear(event: FormEvent) {
    event.preventDefault();
    if (!clearing) return;
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/email/suppressions/clear', { address: clearing, reason });
      toast(`Mail goes to ${clearing} again`);
      const cleared = clearing;
      setClearing(null);
      setReason('');
      // the list is a read model: it may trail the clear by a moment
      list.setData((current) => (current ? { items: current.items.filter((s) => s.address !== cleared) } : current));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const items = list.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="suppressions-heading" data-testid="suppressed-addresses">
      <div className="card-header">
        <Icon name="alert" />
        <h2 id="suppressions-heading">Suppressed addresses</h2>
        <span className="spacer" />
        <span className="small muted">No mail goes to these until an admin clears them</span>
      </div>
      {error ? (
        <div style={{ padding: '12px 20px 0' }}>
          <Alert kind="error">{error}</Alert>
        </div>
      ) : null}
      {list.loading ? (
        <SkeletonRows rows={2} />
      ) : list.error && !list.data ? (
        <ErrorState error={list.error} onRetry={() => void list.reload()} />
      ) : items.length === 0 ? (
        <EmptyState icon="mail" title="No suppressed addresses">
          Every address can be emailed.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">Why</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.address} data-testid="suppressed-address">
                  <td>{s.address}</td>
                  <td>
                    <span className="badge badge-red">{reasonText[s.reason ?? ''] ?? s.reason}</span>
                  </td>
                  <td className="small muted nowrap" title={s.since ? formatDateTime(s.since) : undefined}>
                    {s.since ? formatRelative(s.since) : null}
                  </td>
                  <td>
                    {admin && clearing !== s.address ? (
                      <Button size="sm" onClick={() => setClearing(s.address)}>
                        Clear
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {admin && clearing ? (
        <form className="card-body stack" onSubmit={(e) => void clear(e)}>
          <Field label={`Why may ${clearing} be emailed again?`} hint="Recorded with your name.">
            {(p) => (
              <input
                {...p}
                className="input"
                value={reason}
                maxLength={500}
                required
                onChange={(e) => setReason(e.target.value)}
                data-autofocus
              />
            )}
          </Field>
          <div className="row">
            <Button type="submit" variant="primary" busy={busy} disabled={!reason.trim()}>
              Clear suppression
            </Button>
            <Button variant="ghost" onClick={() => setClearing(null)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
