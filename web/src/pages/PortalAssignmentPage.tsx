import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Drawer } from '../components/Drawer';
import { Icon } from '../components/Icon';
import { PartnerThreadList } from '../components/PartnerThreadList';
import { RaiseQueryForm } from '../components/RaiseQueryForm';
import { Button, EmptyState, ErrorState, SkeletonRows } from '../components/ui';
import { WhatsAppBubble } from '../components/WhatsAppBubble';
import { api } from '../lib/api';
import type { Assignment, CommandAnswer } from '../lib/types';
import { queryKeys } from '../lib/queryKeys';
import { useDeskQuery } from '../lib/useDeskQuery';
import { useMyThreads } from '../lib/useMyThreads';

/** /portal/assignments/:assignmentId: its queries and the Raise Query drawer. */
export function PortalAssignmentPage() {
  const { assignmentId = '' } = useParams();
  const assignment = useDeskQuery({
    queryKey: queryKeys.assignment(assignmentId),
    read: (signal) => api.get<Assignment>(`/api/support/assignments/${encodeURIComponent(assignmentId)}`, { signal }),
  });
  const threads = useMyThreads(assignmentId);
  const [drawer, setDrawer] = useState(false);
  const [raised, setRaised] = useState<CommandAnswer | null>(null);

  function onRaised(answer: CommandAnswer) {
    setRaised(answer);
    void threads.reload({ waitFor: answer.position });
  }

  const a = assignment.data;
  return (
    <div className="page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/portal">Portal</Link>
        <Icon name="chevronRight" size={12} />
        <span aria-current="page">{a?.reference ?? assignmentId}</span>
      </nav>
      {assignment.loading ? (
        <div className="card">
          <SkeletonRows rows={3} />
        </div>
      ) : assignment.error && !a ? (
        <div className="card">
          <ErrorState
            error={assignment.error}
            onRetry={() => void assignment.reload()}
            title="Could not load this assignment"
          />
        </div>
      ) : a ? (
        <>
          <div className="page-header">
            <div>
              <h1>{a.title}</h1>
              <p>
                Assignment <span className="ref">{a.reference}</span>
              </p>
            </div>
            <span className="spacer" />
            <Button
              variant="primary"
              icon="plus"
              onClick={() => {
                setRaised(null);
                setDrawer(true);
              }}
            >
              Raise query
            </Button>
          </div>
          <section className="card" aria-labelledby="assignment-queries">
            <div className="card-header">
              <h2 id="assignment-queries">Queries on {a.reference}</h2>
            </div>
            {threads.loading ? (
              <SkeletonRows rows={3} />
            ) : threads.error && !threads.data ? (
              <ErrorState error={threads.error} onRetry={() => void threads.reload()} />
            ) : threads.data?.items.length ? (
              <PartnerThreadList threads={threads.data.items} hrefOf={(id) => `/portal/threads/${id}`} />
            ) : (
              <EmptyState
                icon="message"
                title="No queries on this assignment"
                action={<Button onClick={() => setDrawer(true)}>Raise the first one</Button>}
              />
            )}
          </section>
          {drawer ? (
            <Drawer
              narrow
              title={raised ? 'Query raised' : 'Raise a query'}
              subtitle={<span className="ref">{a.reference}</span>}
              onClose={() => setDrawer(false)}
              testId="raise-query-drawer"
            >
              {raised ? (
                <div className="success-panel" role="status" data-testid="raise-success">
                  <span className="state-icon">
                    <Icon name="checkCircle" size={22} />
                  </span>
                  <h3>Thanks, your query is with our team</h3>
                  <p className="muted">
                    We reply here and by email. You can follow the conversation any time under “My queries”.
                  </p>
                  <div className="row">
                    {raised.threadId ? (
                      <Link className="btn btn-primary" to={`/portal/threads/${raised.threadId}`} data-autofocus>
                        View the conversation
                      </Link>
                    ) : null}
                    <Button onClick={() => setDrawer(false)}>Close</Button>
                  </div>
                </div>
              ) : (
                <RaiseQueryForm assignmentId={a.assignmentId} onRaised={onRaised} onCancel={() => setDrawer(false)} />
              )}
            </Drawer>
          ) : null}
          <WhatsAppBubble assignmentReference={a.reference} />
        </>
      ) : null}
    </div>
  );
}
