import { useEffect, useMemo, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router-dom';
import { Icon } from '../components/Icon';
import { Alert, EmptyState, ErrorState, LoadingState, SkeletonRows, StatusBadge } from '../components/ui';
import { ApiError, api } from '../lib/api';
import { formatDateTime, label, shortId } from '../lib/format';
import { satisfactionEventSummary } from '../lib/satisfaction';
import type { HistoryEvent, ThreadHistory } from '../lib/types';
import { queryKeys } from '../lib/queryKeys';
import { useDeskQuery } from '../lib/useDeskQuery';

/** The files a message carried, by name and the start of their SHA-256 (what the chain covers). */
function filesText(files: unknown): string {
  if (!Array.isArray(files) || files.length === 0) return '';
  const names = files.map(
    (f: { fileName?: string; sha256?: string }) => `${f.fileName ?? 'file'} (${(f.sha256 ?? '').slice(0, 12)}…)`,
  );
  return ` · ${files.length === 1 ? 'file' : `${files.length} files`}: ${names.join(', ')}`;
}

function eventSummary(e: HistoryEvent): string {
  const d = e.data;
  const s = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  switch (e.type) {
    case 'QueryRaised':
      return `“${s('subject')}” on ${s('assignmentReference')} · ${label(s('queryType'))}, ${label(s('priority'))}${filesText(d.attachments)}`;
    case 'MessagePosted':
      return `${d.visibility === 'internal' ? 'Internal note' : 'Message'}: ${s('body').slice(0, 120)}${s('body').length > 120 ? '…' : ''}${filesText(d.attachments)}`;
    case 'ThreadAssigned':
      return d.assigneeId ? `Assigned to ${s('assigneeName') || s('assigneeId')}` : 'Unassigned';
    case 'PriorityChanged':
      return `Priority ${label(s('from'))} → ${label(s('to'))}`;
    case 'ThreadResolved':
      return `Resolved (was ${label(s('statusBefore'))})`;
    case 'ThreadClosed':
      return `Closed (was ${label(s('statusBefore'))})`;
    case 'ThreadReopened':
      return `Reopened (was ${label(s('statusBefore'))})`;
    case 'AttachmentErased':
      return `File erased (SHA-256 ${s('sha256').slice(0, 12)}…): ${s('reason')}`;
    default:
      return satisfactionEventSummary(e.type, d) ?? '';
  }
}

function actorText(e: HistoryEvent): string {
  const by = e.data.by as { kind?: string; name?: string } | undefined;
  if (by?.name) return `${by.name} (${by.kind ?? e.actor?.type ?? 'unknown'})`;
  if (!e.actor) return 'unknown';
  return `${e.actor.type} ${e.actor.id ? shortId(e.actor.id) : ''}`.trim();
}

/** What became of an email about the thread: an outcome in the thread's email stream, not a thread revision. */
function emailSummary(e: HistoryEvent): string {
  const d = e.data;
  const s = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  const what = `${label(s('template'))} to ${s('recipient')}`;
  const attempts = typeof d.attempts === 'number' ? ` · ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}` : '';
  if (e.type === 'EmailDelivered') return `Delivered: ${what}${attempts}`;
  if (e.type === 'EmailDeliveryFailed')
    return `Not delivered${d.permanent ? ' (refused)' : ''}: ${what}${attempts} · ${s('reason').slice(0, 120)}`;
  return what;
}

/** A stream's name for people: the thread's own, or its email outcomes. */
function streamLabel(stream: string, threadId: string): string {
  return stream === `threadEmail-${threadId}` ? 'email outcomes' : stream === `thread-${threadId}` ? 'thread' : stream;
}

/** `#rev-3` in the address opens the state as of thread revision 3. */
function revisionInHash(hash: string): number | null {
  const match = /^#rev-(\d{1,9})$/.exec(hash);
  return match ? Number(match[1]) : null;
}

function exportHref(threadId: string, format: 'json' | 'csv'): string {
  return `/api/audit/threads/${threadId}/export?format=${format}`;
}

/**
 * /audit/threads/:threadId: every event (who, what, when), the state as of any event (slider
 * or click), the hash-chain verification, and exports.
 */
export function AuditThreadPage() {
  const { threadId = '' } = useParams();
  const history = useDeskQuery({
    queryKey: queryKeys.threadHistory(threadId),
    read: (signal) => api.get<ThreadHistory>(`/api/audit/threads/${threadId}/history`, { signal }),
  });
  const events = useMemo(() => history.data?.events ?? [], [history.data]);
  // the slider and the highlight move through thread revisions only: email outcomes have their own stream
  const threadEvents = useMemo(() => events.filter((e) => e.source === 'thread'), [events]);
  const last = threadEvents[threadEvents.length - 1]?.revision ?? 0;
  const first = threadEvents[0]?.revision ?? 0;
  const { hash } = useLocation();
  const [asOf, setAsOf] = useState<number | null>(() => revisionInHash(hash));
  const selected = asOf ?? last;
  const emailCount = events.length - threadEvents.length;
  useEffect(() => {
    // an address anchored at a revision (#rev-3) selects it and scrolls to its row once the history is there
    const anchored = revisionInHash(hash);
    if (anchored === null) return;
    setAsOf(anchored);
    if (events.length) document.getElementById(`rev-${anchored}`)?.scrollIntoView({ block: 'nearest' });
  }, [events, hash]);

  // the latest state comes with the history; an earlier one is read on its own
  const earlier = asOf !== null && asOf !== last ? asOf : null;
  const stateAsOf = useDeskQuery({
    queryKey: queryKeys.threadStateAsOf(threadId, earlier),
    read: async (signal) => {
      const answer = await api.get<ThreadHistory>(`/api/audit/threads/${threadId}/history`, {
        signal,
        query: { asOf: earlier },
      });
      return answer.stateAsOf;
    },
    enabled: earlier !== null,
  });
  const state = earlier === null ? { data: history.data?.stateAsOf ?? null, error: undefined } : stateAsOf;

  if (history.loading) {
    return (
      <div className="page">
        <LoadingState text="Replaying the history…" />
      </div>
    );
  }
  if (history.error && !history.data) {
    const missing = history.error instanceof ApiError && (history.error.status === 404 || history.error.status === 501);
    return (
      <div className="page page-narrow">
        <Backlink />
        <div className="card">
          {missing && history.error instanceof ApiError && history.error.code === 'no_route' ? (
            <EmptyState icon="history" title="The history service is not available yet">
              This desk does not serve thread histories yet. Try again after the next update.
            </EmptyState>
          ) : (
            <ErrorState
              error={history.error}
              onRetry={() => void history.reload()}
              title="Could not load the history"
            />
          )}
        </div>
      </div>
    );
  }
  const h = history.data!;
  const v = h.verification;
  const current = threadEvents.find((e) => e.revision === selected);
  const isBroken = (e: HistoryEvent) =>
    !v.ok && v.firstBrokenStream === e.stream && v.firstBrokenRevision !== null && e.revision >= v.firstBrokenRevision;

  return (
    <div className="page">
      <Backlink />
      <div className="page-header">
        <div style={{ minWidth: 0 }}>
          <h1>Thread history</h1>
          <p>
            <span className="mono">{h.threadId}</span> · {threadEvents.length} event
            {threadEvents.length === 1 ? '' : 's'}
            {emailCount ? ` · ${emailCount} email outcome${emailCount === 1 ? '' : 's'}` : ''}
          </p>
        </div>
        <span className="spacer" />
        <div className="row">
          <a className="btn btn-sm" href={exportHref(threadId, 'json')} download>
            <Icon name="download" />
            Export JSON
          </a>
          <a className="btn btn-sm" href={exportHref(threadId, 'csv')} download>
            <Icon name="download" />
            Export CSV
          </a>
        </div>
      </div>

      <div
        className={`verify ${v.ok ? 'verify-ok' : 'verify-bad'}`}
        role="status"
        data-testid="verification"
        style={{ marginBottom: 20 }}
      >
        <span className="state-icon">
          <Icon name={v.ok ? 'shieldCheck' : 'shieldX'} size={22} />
        </span>
        <div>
          <strong>{v.ok ? 'History verified' : 'History altered'}</strong>
          <p className="small">
            {v.ok
              ? `All ${v.checked} events form ${v.streams.length > 1 ? `${v.streams.length} unbroken hash chains` : 'an unbroken hash chain'}: nothing was changed or removed.`
              : `The ${streamLabel(v.firstBrokenStream ?? '', h.threadId)} chain breaks at revision ${v.firstBrokenRevision ?? '?'}${v.reason ? `: ${v.reason}` : ''}. ${v.checked} events checked.`}
          </p>
          {v.streams.length > 1 ? (
            <ul className="small verify-streams" data-testid="verification-streams">
              {v.streams.map((s) => (
                <li key={s.streamName}>
                  {s.ok ? 'Verified' : 'Broken'}: {streamLabel(s.streamName, h.threadId)} (
                  <span className="mono">{s.streamName}</span>), {s.checked} event{s.checked === 1 ? '' : 's'}
                  {s.ok ? '' : ` · from revision ${s.firstBrokenRevision ?? '?'}`}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      </div>

      {events.length === 0 ? (
        <div className="card">
          <EmptyState icon="history" title="No events" />
        </div>
      ) : (
        <div className="audit-grid">
          <section className="card" aria-labelledby="timeline-heading">
            <div className="card-header">
              <h2 id="timeline-heading">Timeline</h2>
            </div>
            <div className="card-body">
              <ol className="timeline">
                {events.map((e) =>
                  e.source === 'email' ? (
                    <li
                      key={`${e.stream}@${e.revision}`}
                      id={`email-${e.revision}`}
                      className={`timeline-email${e.threadRevision > selected ? ' after' : ''}${isBroken(e) ? ' broken' : ''}`}
                      data-testid="email-outcome"
                    >
                      <div className="timeline-entry">
                        <span className="row-wrap">
                          <span className="badge badge-gray">Email outcome</span>
                          <span className="event-type">{e.type}</span>
                          <span className="small muted">
                            <span className="mono">{e.stream}</span> #{e.revision}
                            {e.threadRevision >= 0 ? ` · after rev ${e.threadRevision}` : ''}
                          </span>
                        </span>
                        <span className="small" style={{ display: 'block', color: 'var(--text-2)' }}>
                          {emailSummary(e)}
                        </span>
                        <span className="small muted" style={{ display: 'block' }}>
                          {actorText(e)} · <time dateTime={e.occurredAt}>{formatDateTime(e.occurredAt)}</time>
                        </span>
                      </div>
                    </li>
                  ) : (
                    <li
                      key={`${e.stream}@${e.revision}`}
                      id={`rev-${e.revision}`}
                      aria-current={e.revision === selected ? 'step' : undefined}
                      className={`${e.revision > selected ? 'after' : ''}${isBroken(e) ? ' broken' : ''}`}
                    >
                      <button
                        type="button"
                        onClick={() => setAsOf(e.revision)}
                        aria-label={`State as of revision ${e.revision}: ${e.type}`}
                      >
                        <span className="row-wrap">
                          <span className="event-type">{e.type}</span>
                          <span className="small muted">rev {e.revision}</span>
                        </span>
                        <span className="small" style={{ display: 'block', color: 'var(--text-2)' }}>
                          {eventSummary(e)}
                        </span>
                        <span className="small muted" style={{ display: 'block' }}>
                          {actorText(e)} · <time dateTime={e.occurredAt}>{formatDateTime(e.occurredAt)}</time>
                        </span>
                      </button>
                    </li>
                  ),
                )}
              </ol>
            </div>
          </section>
          <section className="card" aria-labelledby="state-heading" style={{ position: 'sticky', top: 72 }}>
            <div className="card-header">
              <h2 id="state-heading">State as of revision {selected}</h2>
            </div>
            <div className="card-body stack">
              <div className="field">
                <label className="field-label" htmlFor="asof-range">
                  Move through time
                </label>
                <input
                  id="asof-range"
                  className="range"
                  type="range"
                  min={first}
                  max={last}
                  step={1}
                  value={selected}
                  onChange={(e) => setAsOf(Number(e.target.value))}
                  aria-valuetext={
                    current
                      ? `Revision ${current.revision}, ${current.type}, ${formatDateTime(current.occurredAt)}`
                      : undefined
                  }
                />
                {current ? (
                  <span className="field-hint">
                    {current.type} · {formatDateTime(current.occurredAt)}
                  </span>
                ) : null}
              </div>
              {state.error ? (
                <Alert kind="error">Could not load the state at this revision.</Alert>
              ) : state.data ? (
                <div className="stack" data-testid="state-as-of" aria-live="polite">
                  <StateFacts state={state.data.state} />
                  <details>
                    <summary className="small" style={{ cursor: 'pointer', fontWeight: 550 }}>
                      Full state (JSON)
                    </summary>
                    <pre className="state-json" style={{ marginTop: 8 }}>
                      {JSON.stringify(state.data.state, null, 2)}
                    </pre>
                  </details>
                </div>
              ) : (
                <SkeletonRows rows={3} />
              )}
            </div>
          </section>
        </div>
      )}
    </div>
  );
}

const factFields: [string, string, 'text' | 'time' | 'label'][] = [
  ['status', 'Status', 'label'],
  ['priority', 'Priority', 'label'],
  ['queryType', 'Query type', 'label'],
  ['assigneeName', 'Assignee', 'text'],
  ['awaiting', 'Awaiting', 'label'],
  ['messageCount', 'Messages', 'text'],
  ['raisedAt', 'Raised', 'time'],
  ['firstResponseAt', 'First response', 'time'],
  ['resolvedAt', 'Resolved', 'time'],
  ['closedAt', 'Closed', 'time'],
  ['lastMessageAt', 'Last message', 'time'],
];

/** The thread's state at the chosen revision, as facts a person reads at a glance. */
function StateFacts({ state }: { state: Record<string, unknown> }) {
  return (
    <dl className="facts">
      {factFields.map(([key, name, kind]) => {
        const value = state[key];
        const text =
          value === null || value === undefined || value === ''
            ? '—'
            : kind === 'time'
              ? formatDateTime(String(value))
              : kind === 'label'
                ? label(String(value))
                : String(value);
        return (
          <div key={key}>
            <dt>{name}</dt>
            <dd>{key === 'status' && typeof value === 'string' ? <StatusBadge status={value} /> : text}</dd>
          </div>
        );
      })}
    </dl>
  );
}

function Backlink() {
  return (
    <nav className="breadcrumb" aria-label="Breadcrumb">
      <Link to="/audit">Audit</Link>
      <Icon name="chevronRight" size={12} />
      <span aria-current="page">Thread history</span>
    </nav>
  );
}
