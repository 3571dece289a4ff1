import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, errorText } from '../lib/api';
import { queryKeys } from '../lib/queryKeys';
import type { Assignment, HeldMailDetail, HeldMailResolved, Page, StaffThreadSummary } from '../lib/types';
import { useDeskQuery } from '../lib/useDeskQuery';
import { Alert, Button, Field } from './ui';

/**
 * What staff do with a held mail (the held mail page's detail pane): assign it to a thread (found
 * by subject or assignment, or a pasted id) or to an assignment, or discard it with a reason.
 */

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function AssignForm({
  mail,
  onAssigned,
}: {
  mail: HeldMailDetail;
  onAssigned: (a: HeldMailResolved) => Promise<void>;
}) {
  const [target, setTarget] = useState<'thread' | 'assignment'>('thread');
  const [search, setSearch] = useState(mail.threadSubject ?? '');
  const [threadId, setThreadId] = useState(mail.threadId ?? '');
  const [assignmentId, setAssignmentId] = useState(mail.assignmentId ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [matches, setMatches] = useState<StaffThreadSummary[]>([]);

  const assignments = useDeskQuery({
    queryKey: queryKeys.assignments(),
    read: (signal) => api.get<{ items: Assignment[] }>('/api/support/assignments', { signal }),
    enabled: target === 'assignment',
  });

  // search threads by subject or assignment reference; a pasted thread id is taken as it is
  useEffect(() => {
    const q = search.trim();
    if (target !== 'thread' || q.length < 2 || uuidPattern.test(q)) {
      setMatches([]);
      if (uuidPattern.test(q)) setThreadId(q.toLowerCase());
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api
        .get<Page<StaffThreadSummary>>('/api/support/inbox', { signal: controller.signal, query: { q, limit: 8 } })
        .then((page) => setMatches(page.items))
        .catch(() => setMatches([]));
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [search, target]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const body = target === 'thread' ? { threadId } : { assignmentId };
      const answer = await api.post<HeldMailResolved>(`/api/inbound/held/${mail.id}/assign`, body);
      await onAssigned(answer);
    } catch (e) {
      setError(errorText(e));
      if (e instanceof ApiError) setFieldErrors(e.fieldErrors);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stack" style={{ gap: 8 }} onSubmit={(e) => void submit(e)} aria-labelledby="assign-heading">
      <h3 id="assign-heading">Assign</h3>
      <div role="radiogroup" aria-label="Assign to" style={{ display: 'flex', gap: 16 }}>
        <label>
          <input type="radio" checked={target === 'thread'} onChange={() => setTarget('thread')} /> To a thread
        </label>
        <label>
          <input type="radio" checked={target === 'assignment'} onChange={() => setTarget('assignment')} /> To an
          assignment
        </label>
      </div>
      {target === 'thread' ? (
        <>
          <Field
            label="Thread"
            hint="Search by subject or assignment, or paste a thread id. The sender's own message if they take part in the thread, otherwise your internal note naming them."
            error={fieldErrors.threadId}
          >
            {(props) => (
              <input
                {...props}
                className="input"
                value={search}
                placeholder="Subject, A-1001 or thread id"
                onChange={(e) => setSearch(e.target.value)}
              />
            )}
          </Field>
          {matches.length > 0 ? (
            <ul className="stack small" style={{ gap: 4, listStyle: 'none', padding: 0, margin: 0 }}>
              {matches.map((t) => (
                <li key={t.threadId}>
                  <label>
                    <input
                      type="radio"
                      name="held-thread"
                      checked={threadId === t.threadId}
                      onChange={() => setThreadId(t.threadId)}
                    />{' '}
                    {t.assignmentReference} · {t.subject} <span className="muted">({t.status.toLowerCase()})</span>
                  </label>
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : (
        <Field
          label="Assignment"
          hint="A query is raised as the sender: only for a partner of the assignment's organisation."
          error={fieldErrors.assignmentId}
        >
          {(props) => (
            <select
              {...props}
              className="select"
              value={assignmentId}
              onChange={(e) => setAssignmentId(e.target.value)}
            >
              <option value="">Choose an assignment</option>
              {assignments.data?.items.map((a) => (
                <option key={a.assignmentId} value={a.assignmentId}>
                  {a.reference} · {a.title}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {error ? <Alert kind="error">{error}</Alert> : null}
      <div>
        <Button type="submit" variant="primary" busy={busy} disabled={target === 'thread' ? !threadId : !assignmentId}>
          Assign
        </Button>
      </div>
    </form>
  );
}

export function DiscardForm({
  mail,
  onDiscarded,
}: {
  mail: HeldMailDetail;
  onDiscarded: (a: HeldMailResolved) => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFieldError(undefined);
    try {
      await onDiscarded(await api.post<HeldMailResolved>(`/api/inbound/held/${mail.id}/discard`, { reason }));
    } catch (e) {
      setError(errorText(e));
      if (e instanceof ApiError) setFieldError(e.fieldErrors.reason);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stack" style={{ gap: 8 }} onSubmit={(e) => void submit(e)} aria-labelledby="discard-heading">
      <h3 id="discard-heading">Discard</h3>
      <Field label="Reason" hint="Kept with the email: who discarded it, when and why." error={fieldError}>
        {(props) => (
          <input
            {...props}
            className="input"
            value={reason}
            maxLength={500}
            placeholder="Advertising, a duplicate, …"
            onChange={(e) => setReason(e.target.value)}
          />
        )}
      </Field>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <div>
        <Button type="submit" variant="danger" busy={busy} disabled={reason.trim() === ''}>
          Discard
        </Button>
      </div>
    </form>
  );
}
