import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Drawer } from '../components/Drawer';
import { Icon } from '../components/Icon';
import { PartnerThreadList } from '../components/PartnerThreadList';
import { PublicThread } from '../components/PublicThread';
import { RaiseQueryForm } from '../components/RaiseQueryForm';
import { Button, EmptyState, ErrorState, SkeletonRows } from '../components/ui';
import { WhatsAppBubble } from '../components/WhatsAppBubble';
import { api } from '../lib/api';
import { useLive } from '../lib/live';
import { useIdentity } from '../lib/session';
import type { Assignment, CommandAnswer, Page, PartnerThreadSummary } from '../lib/types';
import { useResource } from '../lib/useResource';

function useMyThreads(assignmentId?: string) {
  const threads = useResource(
    (signal, waitFor) =>
      api.get<Page<PartnerThreadSummary>>('/api/support/my/threads', {
        signal,
        waitFor,
        query: { assignmentId, limit: 50 },
      }),
    [assignmentId],
  );
  useLive((event) => {
    if (event.type === 'thread' || event.type === 'resync') void threads.reload();
  });
  return threads;
}

/** /portal: the organisation's assignments and its queries, live. */
export function PortalHomePage() {
  const identity = useIdentity();
  const assignments = useResource(
    (signal) => api.get<{ items: Assignment[] }>('/api/support/assignments', { signal }),
    [],
  );
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

/** /portal/assignments/:assignmentId: its queries and the Raise Query drawer. */
export function PortalAssignmentPage() {
  const { assignmentId = '' } = useParams();
  const assignment = useResource(
    (signal) => api.get<Assignment>(`/api/support/assignments/${encodeURIComponent(assignmentId)}`, { signal }),
    [assignmentId],
  );
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

/** /portal/threads/:threadId: the conversation and a reply box. */
export function PortalThreadPage() {
  const { threadId = '' } = useParams();
  const identity = useIdentity();
  const [reference, setReference] = useState<{ ref: string; assignmentId: string } | null>(null);
  return (
    <div className="page page-narrow">
      <PublicThread
        threadId={threadId}
        myId={identity.accountId}
        onLoaded={(t) =>
          setReference((r) =>
            r?.ref === t.assignmentReference ? r : { ref: t.assignmentReference, assignmentId: t.assignmentId },
          )
        }
        breadcrumb={
          <nav className="breadcrumb" aria-label="Breadcrumb">
            <Link to="/portal">Portal</Link>
            <Icon name="chevronRight" size={12} />
            {reference ? (
              <Link to={`/portal/assignments/${encodeURIComponent(reference.assignmentId)}`}>{reference.ref}</Link>
            ) : null}
            <Icon name="chevronRight" size={12} />
            <span aria-current="page">Conversation</span>
          </nav>
        }
      />
      {reference ? <WhatsAppBubble assignmentReference={reference.ref} threadId={threadId} /> : null}
    </div>
  );
}
