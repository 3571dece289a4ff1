import { api } from '../../lib/api';
import { formatDateTime, formatRelative } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';
import type { DeadInboundList } from '../../lib/types';
import { useDeskQuery } from '../../lib/useDeskQuery';
import { Button } from '../ui';
import { OpsPanel, PanelBody, useOpsAction } from './OpsPanel';

/**
 * Inbound mail deliveries the worker gave up on after its last attempt (a fetch from Resend that
 * kept failing), and a Retry that makes one due again: the worker then takes it on its next round.
 */
export function DeadInboundSection() {
  const dead = useDeskQuery({
    queryKey: queryKeys.deadInbound(),
    read: (signal) => api.get<DeadInboundList>('/api/ops/inbound/dead', { signal }),
    refetchInterval: 10_000,
  });
  const { busy, error, run } = useOpsAction();

  const retry = (svixId: string) =>
    run(svixId, async () => {
      await api.post(`/api/ops/inbound/dead/${encodeURIComponent(svixId)}/retry`);
      await dead.reload();
      return 'Delivery queued again';
    });

  const d = dead.data;
  return (
    <OpsPanel
      id="dead-inbound-heading"
      title="Dead-lettered inbound mail"
      icon="alert"
      testId="dead-inbound"
      aside={d ? <span className={`badge${d.dead > 0 ? ' badge-red' : ''}`}>{d.dead}</span> : null}
      error={error}
    >
      <PanelBody
        query={dead}
        isEmpty={(data) => data.items.length === 0}
        empty={{ icon: 'mail', title: 'Nothing dead-lettered', text: 'Every received email was fetched.' }}
      >
        {(list) => (
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
                {list.items.map((item) => (
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
        )}
      </PanelBody>
    </OpsPanel>
  );
}
