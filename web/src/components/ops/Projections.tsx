import { useState } from 'react';
import { ApiError, api, errorText } from '../../lib/api';
import { formatDuration, formatNumber, formatRelative, label } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';
import type { ProjectionStatus } from '../../lib/types';
import { useDeskQuery } from '../../lib/useDeskQuery';
import { Icon } from '../Icon';
import { useToast } from '../Toasts';
import { Alert, Button, EmptyState, ErrorState, SkeletonRows } from '../ui';

/** The commit part of a log position ("1234-1234" → 1234): how far a projection has read. */
function positionText(position: string): string {
  if (position.startsWith('-1')) return '0';
  return position.split('-')[0] ?? position;
}

/** Read models: position, lag, rate, and a blue/green rebuild with its progress. Polls, faster while one moves. */
export function Projections() {
  const toast = useToast();
  const [starting, setStarting] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const list = useDeskQuery({
    queryKey: queryKeys.projections(),
    read: (signal) => api.get<{ items: ProjectionStatus[] }>('/api/ops/projections', { signal }),
    refetchInterval: (data) => (starting || data?.items.some((p) => p.building) ? 1000 : 4000),
  });

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
