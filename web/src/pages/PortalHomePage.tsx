import { Link } from 'react-router-dom';
import { Icon } from '../components/Icon';
import { PartnerThreadList } from '../components/PartnerThreadList';
import { EmptyState, ErrorState, SkeletonRows } from '../components/ui';
import { WhatsAppBubble } from '../components/WhatsAppBubble';
import { api } from '../lib/api';
import { useIdentity } from '../lib/session';
import type { Assignment } from '../lib/types';
import { queryKeys } from '../lib/queryKeys';
import { useDeskQuery } from '../lib/useDeskQuery';
import { useMyThreads } from '../lib/useMyThreads';

/** /portal: the organisation's assignments and its queries, live. */
export function PortalHomePage() {
  const identity = useIdentity();
  const assignments = useDeskQuery({
    queryKey: queryKeys.assignments(),
    read: (signal) => api.get<{ items: Assignment[] }>('/api/support/assignments', { signal }),
  });
  const threads = useMyThreads();
  const firstName = identity.name.split(' ')[0];

  return (
    <div className="page">
      <div className="hero">
        <div style={{ flex: 1, minWidth: 220 }}>
          <h1>Hello, {firstName}</h1>
          <p>Raise a query on any of your assignments. Our team answers here and by email.</p>
        </div>
        <span className="live-pill">Replies appear live</span>
      </div>
      <div className="grid-2">
        <section className="card" aria-labelledby="assignments-heading">
          <div className="card-header">
            <h2 id="assignments-heading">Assignments</h2>
          </div>
          {assignments.loading ? (
            <SkeletonRows rows={3} />
          ) : assignments.error && !assignments.data ? (
            <ErrorState error={assignments.error} onRetry={() => void assignments.reload()} />
          ) : assignments.data?.items.length ? (
            <ul className="assignment-list" data-testid="assignments">
              {assignments.data.items.map((a) => (
                <li key={a.assignmentId}>
                  <Link to={`/portal/assignments/${encodeURIComponent(a.assignmentId)}`}>
                    <span className="assignment-icon">
                      <Icon name="briefcase" />
                    </span>
                    <span style={{ flex: 1, minWidth: 0 }}>
                      <span className="ref">{a.reference}</span>
                      <span style={{ display: 'block', marginTop: 2, fontWeight: 500 }}>{a.title}</span>
                    </span>
                    <Icon name="chevronRight" />
                  </Link>
                </li>
              ))}
            </ul>
          ) : (
            <EmptyState icon="briefcase" title="No assignments yet">
              Assignments from the platform appear here.
            </EmptyState>
          )}
        </section>
        <section className="card" aria-labelledby="queries-heading">
          <div className="card-header">
            <h2 id="queries-heading">My queries</h2>
          </div>
          {threads.loading ? (
            <SkeletonRows rows={4} />
          ) : threads.error && !threads.data ? (
            <ErrorState error={threads.error} onRetry={() => void threads.reload()} />
          ) : threads.data?.items.length ? (
            <PartnerThreadList threads={threads.data.items} hrefOf={(id) => `/portal/threads/${id}`} />
          ) : (
            <EmptyState icon="message" title="No queries yet">
              Open an assignment and choose “Raise query” to ask us anything about it.
            </EmptyState>
          )}
        </section>
      </div>
      <WhatsAppBubble />
    </div>
  );
}
