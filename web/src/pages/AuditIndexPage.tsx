import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Icon } from '../components/Icon';
import { EmptyState, ErrorState, SkeletonRows, StatusBadge } from '../components/ui';
import { api } from '../lib/api';
import { formatRelative, shortId } from '../lib/format';
import type { Page, StaffThreadSummary } from '../lib/types';
import { queryKeys } from '../lib/queryKeys';
import { useDeskQuery } from '../lib/useDeskQuery';

/** /audit: pick a thread to replay. */
export function AuditIndexPage() {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setQuery(q.trim()), 300);
    return () => clearTimeout(t);
  }, [q]);
  const list = useDeskQuery({
    queryKey: queryKeys.auditSearch(query),
    read: (signal) =>
      api.get<Page<StaffThreadSummary>>('/api/support/inbox', { signal, query: { q: query, limit: 50 } }),
  });
  return (
    <div className="page page-narrow">
      <div className="page-header">
        <div>
          <h1>Audit</h1>
          <p>Replay any thread’s history, see its state at any moment, and verify nothing was altered.</p>
        </div>
      </div>
      <div className="card">
        <div className="filters" role="search">
          <div className="search">
            <Icon name="search" />
            <label className="visually-hidden" htmlFor="audit-search">
              Search threads
            </label>
            <input
              id="audit-search"
              className="input input-sm"
              type="search"
              placeholder="Search subjects and messages"
              value={q}
              onChange={(e) => setQ(e.target.value)}
            />
          </div>
        </div>
        {list.loading ? (
          <SkeletonRows rows={5} />
        ) : list.error && !list.data ? (
          <ErrorState error={list.error} onRetry={() => void list.reload()} />
        ) : list.data?.items.length ? (
          <ul className="thread-list">
            {list.data.items.map((t) => (
              <li key={t.threadId} className="thread-row">
                <Link to={`/audit/threads/${t.threadId}`}>
                  <span>
                    <Icon name="history" size={14} />
                  </span>
                  <span style={{ minWidth: 0 }}>
                    <span className="thread-title">
                      <span className="subject">{t.subject}</span>
                    </span>
                    <span className="thread-meta">
                      <span className="ref">{t.assignmentReference}</span>
                      <span>{t.partnerOrgId}</span>
                      <span className="mono">{shortId(t.threadId)}</span>
                      <span>revision {t.revision}</span>
                    </span>
                  </span>
                  <span className="thread-side">
                    <span>{formatRelative(t.lastActivityAt)}</span>
                    <StatusBadge status={t.status} />
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        ) : (
          <EmptyState icon="search" title={query ? 'No threads match' : 'No threads yet'} />
        )}
      </div>
    </div>
  );
}
