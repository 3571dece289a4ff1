import { useState, type FormEvent } from 'react';
import { api } from '../../lib/api';
import { formatDateTime, formatRelative } from '../../lib/format';
import { isAdmin, useIdentity } from '../../lib/session';
import type { components } from '../../lib/api-types';
import { useDeskQuery } from '../../lib/useDeskQuery';
import { Button, Field } from '../ui';
import { OpsPanel, PanelBody, useOpsAction } from './OpsPanel';

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
  const list = useDeskQuery({
    queryKey: ['ops', 'email-suppressions'] as const,
    read: (signal) => api.get<{ items: Suppression[] }>('/api/email/suppressions', { signal }),
    refetchInterval: 10_000,
  });
  const [clearing, setClearing] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const { busy, error, run } = useOpsAction();

  async function clear(event: FormEvent) {
    event.preventDefault();
    const cleared = clearing;
    if (!cleared) return;
    await run('clear', async () => {
      await api.post('/api/email/suppressions/clear', { address: cleared, reason });
      setClearing(null);
      setReason('');
      // the list is a read model: it may trail the clear by a moment
      list.setData((current) => (current ? { items: current.items.filter((s) => s.address !== cleared) } : current));
      return `Mail goes to ${cleared} again`;
    });
  }

  return (
    <OpsPanel
      id="suppressions-heading"
      title="Suppressed addresses"
      icon="alert"
      testId="suppressed-addresses"
      aside={
        <>
          <span className="spacer" />
          <span className="small muted">No mail goes to these until an admin clears them</span>
        </>
      }
      error={error}
    >
      <PanelBody
        query={list}
        isEmpty={(data) => data.items.length === 0}
        empty={{ icon: 'mail', title: 'No suppressed addresses', text: 'Every address can be emailed.' }}
      >
        {({ items }) => (
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
      </PanelBody>
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
            <Button type="submit" variant="primary" busy={busy === 'clear'} disabled={!reason.trim()}>
              Clear suppression
            </Button>
            <Button variant="ghost" onClick={() => setClearing(null)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : null}
    </OpsPanel>
  );
}
