import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Icon } from '../components/Icon';
import { useToast } from '../components/Toasts';
import { AssignForm, DiscardForm } from '../components/HeldMailActions';
import { Alert, Button, EmptyState, ErrorState, SkeletonRows } from '../components/ui';
import { api } from '../lib/api';
import { formatDateTime, formatRelative } from '../lib/format';
import { queryKeys } from '../lib/queryKeys';
import type { HeldMail, HeldMailDetail, HeldMailList } from '../lib/types';
import { useDeskQuery } from '../lib/useDeskQuery';

/** How each hold reason reads as a chip (the full sentence is on the row and in the detail). */
const reasonChips: Record<string, { text: string; tone: string }> = {
  unknown_sender: { text: 'Unknown sender', tone: 'badge-gray' },
  not_a_participant: { text: 'Not in the thread', tone: 'badge-amber' },
  forged_reply_address: { text: 'Forged reply address', tone: 'badge-red' },
  conflicting_threads: { text: 'Conflicting threads', tone: 'badge-amber' },
  unknown_thread: { text: 'Unknown thread', tone: 'badge-gray' },
  tag_of_another_organisation: { text: 'Other organisation', tone: 'badge-red' },
  ambiguous_subject_tag: { text: 'Several assignments', tone: 'badge-amber' },
  no_assignment: { text: 'No assignment', tone: 'badge-blue' },
  no_sender: { text: 'No sender', tone: 'badge-gray' },
  thread_closed: { text: 'Closed thread', tone: 'badge-gray' },
  empty_message: { text: 'Empty', tone: 'badge-gray' },
};

function ReasonChip({ reason, title }: { reason: string; title: string }) {
  const chip = reasonChips[reason] ?? { text: reason.replace(/_/g, ' '), tone: 'badge-gray' };
  return (
    <span className={`badge ${chip.tone}`} title={title} data-testid="held-reason">
      {chip.text}
    </span>
  );
}

/**
 * /admin/held-mail: received emails that became no message, for admins and agents. A list with
 * why each was held, a detail pane with its text (plain text, never the mail's HTML), and what
 * staff can do: assign it to a thread (the sender's own message if they take part in it, else an
 * internal note naming them) or to an assignment (a query raised as the sender, partners only),
 * or discard it with a reason.
 */
export function HeldMailPage() {
  const [params, setParams] = useSearchParams();
  const selected = params.get('mail');
  const list = useDeskQuery({
    queryKey: queryKeys.heldMail(),
    read: (signal) => api.get<HeldMailList>('/api/inbound/held', { signal }),
    refetchInterval: 15_000,
  });
  const select = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set('mail', id);
    else next.delete('mail');
    setParams(next, { replace: true });
  };

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Held mail</h1>
          <p>Emails that could not safely become a message. Assign each to a thread or an assignment, or discard it.</p>
        </div>
        <span className="spacer" />
        {list.data ? (
          <span className="badge" data-testid="held-open-count">
            {list.data.open} open
          </span>
        ) : null}
      </div>
      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(280px, 2fr) 3fr', gap: 20, alignItems: 'start' }}>
        <section className="card" aria-label="Held emails">
          {list.loading ? (
            <SkeletonRows rows={4} />
          ) : list.error && !list.data ? (
            <ErrorState error={list.error} onRetry={() => void list.reload()} />
          ) : list.data && list.data.items.length === 0 ? (
            <EmptyState icon="mail" title="No held mail">
              Every email that arrived found its thread.
            </EmptyState>
          ) : (
            <ul className="thread-list" data-testid="held-rows">
              {list.data?.items.map((mail) => (
                <HeldRow key={mail.id} mail={mail} active={mail.id === selected} onSelect={() => select(mail.id)} />
              ))}
            </ul>
          )}
        </section>
        {selected ? (
          <HeldDetail
            key={selected}
            id={selected}
            onDone={async () => {
              select(null);
              // held mail is its own table, written before the answer: a plain read shows the change
              await list.reload();
            }}
          />
        ) : (
          <section className="card">
            <EmptyState icon="mail" title="Select an email">
              Its text and what you can do with it show here.
            </EmptyState>
          </section>
        )}
      </div>
    </div>
  );
}

function HeldRow({ mail, active, onSelect }: { mail: HeldMail; active: boolean; onSelect: () => void }) {
  return (
    <li>
      <button
        type="button"
        className="thread-row"
        aria-current={active || undefined}
        onClick={onSelect}
        style={{ width: '100%', textAlign: 'left', background: active ? 'var(--surface-2, #f3f4f6)' : undefined }}
      >
        <span className="thread-main">
          <span className="thread-title">
            <span className="subject">{mail.subject || '(no subject)'}</span>
          </span>
          <span className="thread-meta">
            <ReasonChip reason={mail.reason} title={mail.reasonText} /> <span>{mail.sender}</span>
            {mail.assignmentReference ? <span className="ref">{mail.assignmentReference}</span> : null}
          </span>
          <span className="thread-preview">{mail.snippet}</span>
        </span>
        <span className="thread-side small muted" title={formatDateTime(mail.receivedAt)}>
          {formatRelative(mail.receivedAt)}
        </span>
      </button>
    </li>
  );
}

function HeldDetail({ id, onDone }: { id: string; onDone: () => Promise<void> }) {
  const toast = useToast();
  const detail = useDeskQuery({
    queryKey: queryKeys.heldMailDetail(id),
    read: (signal) => api.get<HeldMailDetail>(`/api/inbound/held/${encodeURIComponent(id)}`, { signal }),
  });
  const [showQuoted, setShowQuoted] = useState(false);
  const mail = detail.data;

  if (detail.loading) {
    return (
      <section className="card">
        <SkeletonRows rows={5} />
      </section>
    );
  }
  if (!mail) {
    return (
      <section className="card">
        <ErrorState error={detail.error} onRetry={() => void detail.reload()} />
      </section>
    );
  }
  const done = async (message: string) => {
    toast(message);
    await onDone();
  };
  return (
    <section className="card" aria-labelledby="held-subject" data-testid="held-detail">
      <div className="card-header">
        <Icon name="mail" />
        <h2 id="held-subject">{mail.subject || '(no subject)'}</h2>
      </div>
      <div className="card-body stack" style={{ gap: 12 }}>
        <Alert kind="warning" title="Why it was held">
          {mail.reasonText}
        </Alert>
        <dl className="small" style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '4px 12px' }}>
          <dt className="muted">From</dt>
          <dd>{mail.sender}</dd>
          <dt className="muted">To</dt>
          <dd>{[...mail.to, ...mail.cc].join(', ')}</dd>
          <dt className="muted">Received</dt>
          <dd>{formatDateTime(mail.receivedAt)}</dd>
          {mail.threadId ? (
            <>
              <dt className="muted">Named thread</dt>
              <dd>
                <Link to={`/admin/support?thread=${mail.threadId}`}>{mail.threadSubject ?? mail.threadId}</Link>
              </dd>
            </>
          ) : null}
          {mail.assignmentReference ? (
            <>
              <dt className="muted">Assignment</dt>
              <dd>{mail.assignmentReference}</dd>
            </>
          ) : null}
        </dl>
        {/* plain text only: the mail's HTML is never rendered */}
        <pre
          className="held-text"
          data-testid="held-text"
          style={{ whiteSpace: 'pre-wrap', margin: 0, font: 'inherit' }}
        >
          {showQuoted ? mail.fullText : mail.reply || '(no text)'}
        </pre>
        {mail.fullText && mail.fullText !== mail.reply ? (
          <Button size="sm" variant="ghost" onClick={() => setShowQuoted((v) => !v)}>
            {showQuoted ? 'Hide quoted text' : 'Show quoted text'}
          </Button>
        ) : null}
        {mail.resolvedAt ? (
          <Alert kind="info">
            {mail.resolution === 'discarded' ? 'Discarded' : 'Assigned'} by {mail.resolvedBy ?? 'someone'}{' '}
            {formatRelative(mail.resolvedAt)}.
          </Alert>
        ) : (
          <>
            <AssignForm mail={mail} onAssigned={() => done('Email assigned')} />
            <DiscardForm mail={mail} onDiscarded={() => done('Email discarded')} />
          </>
        )}
      </div>
    </section>
  );
}
