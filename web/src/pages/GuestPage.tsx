import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { Icon } from '../components/Icon';
import { PartnerThreadList } from '../components/PartnerThreadList';
import { PublicThread } from '../components/PublicThread';
import { RaiseQueryForm } from '../components/RaiseQueryForm';
import { Button, EmptyState, ErrorState, LoadingState, SkeletonRows } from '../components/ui';
import { WhatsAppBubble } from '../components/WhatsAppBubble';
import { ApiError, api, setGuestToken } from '../lib/api';
import { formatDateTime } from '../lib/format';
import { useLive } from '../lib/live';
import type { Assignment, CommandAnswer, Identity, Page, PartnerThreadSummary } from '../lib/types';
import { queryKeys } from '../lib/queryKeys';
import { useDeskQuery } from '../lib/useDeskQuery';

type GuestIdentity = Extract<Identity, { kind: 'guest' }>;

const isInvalidLink = (error: unknown) =>
  error instanceof ApiError && (error.code === 'invalid_link' || error.status === 401);

function GuestHeader({ expiresAt }: { expiresAt?: string | undefined }) {
  return (
    <header className="app-header">
      <span className="brand">
        <span className="brand-mark">
          <Icon name="message" size={16} />
        </span>
        <span>Support Desk</span>
      </span>
      {expiresAt ? (
        <span className="small muted" style={{ marginLeft: 'auto' }}>
          <Icon name="clock" size={12} /> Guest access until {formatDateTime(expiresAt)}
        </span>
      ) : null}
    </header>
  );
}

/** An expired, revoked or unknown link: one friendly page, whatever the reason. */
export function InvalidLinkPage() {
  return (
    <>
      <GuestHeader />
      <main id="main" className="center-page">
        <div className="card center-card" data-testid="invalid-link">
          <span className="state-icon">
            <Icon name="lock" size={24} />
          </span>
          <h1>This link no longer works</h1>
          <p>
            It may have expired, or it was switched off by our support team. Links like this one are personal and work
            for a limited time.
          </p>
          <p style={{ marginTop: 12 }}>Ask the person who sent it for a new one, or reply to the email you received.</p>
          <p style={{ marginTop: 20 }}>
            <a href="/sign-in">Have an account? Sign in</a>
          </p>
        </div>
      </main>
    </>
  );
}

function GuestAssignment({
  identity,
  onInvalid,
}: {
  identity: GuestIdentity & { scope: { kind: 'assignment' } };
  onInvalid: () => void;
}) {
  const [params, setParams] = useSearchParams();
  const threadId = params.get('thread');
  const [raising, setRaising] = useState(false);
  const assignment = useDeskQuery({
    queryKey: queryKeys.assignment(identity.scope.assignmentId),
    read: (signal) =>
      api.get<Assignment>(`/api/support/assignments/${encodeURIComponent(identity.scope.assignmentId)}`, { signal }),
  });
  const threads = useDeskQuery({
    queryKey: queryKeys.myThreads(undefined),
    read: async (signal, waitFor) => {
      try {
        return await api.get<Page<PartnerThreadSummary>>('/api/support/my/threads', {
          signal,
          waitFor,
          query: { limit: 50 },
        });
      } catch (error) {
        if (isInvalidLink(error)) onInvalid();
        throw error;
      }
    },
  });
  useLive((event) => {
    if (event.type === 'thread' || event.type === 'resync') void threads.reload();
  });

  function raised(answer: CommandAnswer) {
    setRaising(false);
    void threads.reload({ waitFor: answer.position });
    if (answer.threadId) setParams({ thread: answer.threadId });
  }

  const a = assignment.data;
  if (threadId) {
    return (
      <>
        <PublicThread
          threadId={threadId}
          myId={identity.linkId}
          onInvalidLink={onInvalid}
          breadcrumb={
            <nav className="breadcrumb" aria-label="Breadcrumb">
              <Link to="?">{a?.reference ?? 'Assignment'}</Link>
              <Icon name="chevronRight" size={12} />
              <span aria-current="page">Conversation</span>
            </nav>
          }
        />
        {a ? <WhatsAppBubble assignmentReference={a.reference} threadId={threadId} /> : null}
      </>
    );
  }
  return (
    <>
      <div className="page-header">
        <div>
          <h1>{a?.title ?? 'Assignment'}</h1>
          <p>
            {a ? <span className="ref">{a.reference}</span> : null} You were invited to follow the queries on this
            assignment.
          </p>
        </div>
        <span className="spacer" />
        {!raising ? (
          <Button variant="primary" icon="plus" onClick={() => setRaising(true)}>
            Raise query
          </Button>
        ) : null}
      </div>
      {raising ? (
        <section className="card card-pad" style={{ marginBottom: 20 }} aria-label="Raise a query">
          <h2 style={{ marginBottom: 16 }}>Raise a query</h2>
          <RaiseQueryForm
            assignmentId={identity.scope.assignmentId}
            onRaised={raised}
            onCancel={() => setRaising(false)}
          />
        </section>
      ) : null}
      <section className="card" aria-labelledby="guest-queries">
        <div className="card-header">
          <h2 id="guest-queries">Queries</h2>
        </div>
        {threads.loading ? (
          <SkeletonRows rows={3} />
        ) : threads.error && !threads.data ? (
          <ErrorState error={threads.error} onRetry={() => void threads.reload()} />
        ) : threads.data?.items.length ? (
          <PartnerThreadList threads={threads.data.items} hrefOf={(id) => `?thread=${id}`} />
        ) : (
          <EmptyState icon="message" title="No queries yet">
            Raise one and our team will answer here.
          </EmptyState>
        )}
      </section>
      {a ? <WhatsAppBubble assignmentReference={a.reference} /> : null}
    </>
  );
}

/**
 * /t/<token>: a guest's page, no account. The token travels in X-Guest-Token only (never in a
 * query string or a log); the page sends no Referer (the server's Referrer-Policy).
 */
export function GuestPage() {
  const { token = '' } = useParams();
  // set before the first request of this page
  useState(() => setGuestToken(token));
  const [invalid, setInvalid] = useState(false);
  const [reference, setReference] = useState<string | null>(null);
  const me = useDeskQuery({
    queryKey: queryKeys.guestIdentity(token),
    read: async (signal) => {
      setGuestToken(token);
      const answer = await api.get<{ identity: Identity }>('/api/auth/me', { signal });
      if (answer.identity.kind !== 'guest') throw new Error('not a guest link');
      return answer.identity;
    },
  });

  if (invalid || (me.error && isInvalidLink(me.error))) return <InvalidLinkPage />;
  const identity = me.data;
  return (
    <>
      <GuestHeader expiresAt={identity?.expiresAt} />
      <main id="main" className="page page-narrow">
        {me.loading ? (
          <LoadingState text="Opening your conversation…" />
        ) : me.error || !identity ? (
          <div className="card">
            <ErrorState error={me.error} onRetry={() => void me.reload()} />
          </div>
        ) : identity.scope.kind === 'thread' ? (
          <>
            <PublicThread
              threadId={identity.scope.threadId}
              myId={identity.linkId}
              onInvalidLink={() => setInvalid(true)}
              onLoaded={(t) => setReference(t.assignmentReference)}
            />
            {reference ? <WhatsAppBubble assignmentReference={reference} threadId={identity.scope.threadId} /> : null}
          </>
        ) : (
          <GuestAssignment
            identity={identity as GuestIdentity & { scope: { kind: 'assignment' } }}
            onInvalid={() => setInvalid(true)}
          />
        )}
      </main>
    </>
  );
}
