import { useCallback, useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Icon } from '../components/Icon';
import { SlaChip } from '../components/sla/SlaChip';
import { ThreadDrawer } from '../components/ThreadDrawer';
import { Button, EmptyState, ErrorState, PriorityBadge, SkeletonRows, StatusBadge } from '../components/ui';
import { api } from '../lib/api';
import { formatDateTime, formatRelative, label } from '../lib/format';
import { useLive } from '../lib/live';
import { useIdentity } from '../lib/session';
import { priorities, queryTypes, type Counts, type Page, type StaffThreadSummary } from '../lib/types';
import { freshSlaAlerts, keepSlaHeadline } from '../lib/sla';
import { useToast } from '../components/Toasts';
import { isUnread, rememberStaff } from '../lib/unread';
import { queryKeys } from '../lib/queryKeys';
import { useDeskQuery } from '../lib/useDeskQuery';

/** Service-level alerts already told in this tab (each once, whichever page told it). */
const toldAlerts = new Set<string>();

const tabs = ['ALL', 'OPEN', 'PENDING', 'RESOLVED', 'CLOSED'] as const;
const PAGE = 25;
const MAX_LIVE = 100;

type Row = StaffThreadSummary;

/** A row of the breaching-soon view: its clock runs (or ran past its deadline). */
function hasRunningClock(row: Row): boolean {
  return Boolean(row.sla?.dueAt && (row.sla.state === 'running' || row.sla.state === 'breached'));
}

/** Newest activity first; in the breaching-soon view, the soonest (most breached) deadline first. */
function rowOrder(breachingSoon: boolean): (a: Row, b: Row) => number {
  if (!breachingSoon) return (a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt);
  return (a, b) => (a.sla?.dueAt ?? '\uffff').localeCompare(b.sla?.dueAt ?? '\uffff');
}

/** Re-renders when this browser marks a thread seen (any tab of it). */
function useSeenVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    window.addEventListener('sd:seen', bump);
    window.addEventListener('storage', bump);
    return () => {
      window.removeEventListener('sd:seen', bump);
      window.removeEventListener('storage', bump);
    };
  }, []);
  return version;
}

/**
 * The support inbox: status tabs with counts, filters, search, awaiting and unread markers,
 * live (rows appear and move, counts change) and a thread drawer (?thread=<id>).
 */
export function InboxPage() {
  const identity = useIdentity();
  const toast = useToast();
  const [params, setParams] = useSearchParams();
  const status = (tabs as readonly string[]).includes(params.get('status') ?? '') ? params.get('status')! : 'ALL';
  const priority = params.get('priority') ?? '';
  const queryType = params.get('queryType') ?? '';
  const assignee = params.get('assignee') ?? '';
  const q = params.get('q') ?? '';
  const openThread = params.get('thread');
  const breachingSoon = params.get('sla') === 'due';
  const sla = breachingSoon ? 'due' : '';
  const [search, setSearch] = useState(q);
  const [limit, setLimit] = useState(PAGE);
  const seenVersion = useSeenVersion();

  const filters = useMemo(() => ({ priority, queryType, assigneeId: assignee, q }), [priority, queryType, assignee, q]);

  const list = useDeskQuery({
    queryKey: queryKeys.inbox({ ...filters, status, sla, limit }),
    read: (signal, waitFor) =>
      api.get<Page<Row>>('/api/support/inbox', {
        signal,
        waitFor,
        query: { ...filters, status, sla, limit },
      }),
  });
  const counts = useDeskQuery({
    queryKey: queryKeys.inboxCounts(filters),
    read: (signal, waitFor) => api.get<Counts>('/api/support/inbox/counts', { signal, waitFor, query: filters }),
  });

  useEffect(() => {
    const rows = list.data?.items ?? [];
    rememberStaff(
      rows.filter((r) => r.assigneeId && r.assigneeName).map((r) => ({ id: r.assigneeId!, name: r.assigneeName! })),
    );
  }, [list.data]);

  const update = useCallback(
    (changes: Record<string, string | null>) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [k, v] of Object.entries(changes)) {
            if (v === null || v === '') next.delete(k);
            else next.set(k, v);
          }
          return next;
        },
        { replace: !('thread' in changes) },
      );
      if (!('thread' in changes)) setLimit(PAGE);
    },
    [setParams],
  );

  // search as you type, without a request per key
  useEffect(() => {
    if (search === q) return;
    const timer = setTimeout(() => update({ q: search.trim() || null }), 300);
    return () => clearTimeout(timer);
  }, [search, q, update]);

  const refresh = useCallback(
    (waitFor: string | null) => {
      void list.reload({ waitFor });
      void counts.reload({ waitFor });
    },
    [list, counts],
  );
  /** Whether a thread belongs in the list under the current tab and filters (search aside). */
  function matches(row: Row): boolean {
    if (status !== 'ALL' && row.status !== status) return false;
    if (breachingSoon && !hasRunningClock(row)) return false;
    if (priority && row.priority !== priority) return false;
    if (queryType && row.queryType !== queryType) return false;
    if (assignee === 'me' && row.assigneeId !== identity.accountId) return false;
    if (assignee === 'none' && row.assigneeId !== null) return false;
    return true;
  }

  // A push carries the thread's new summary: the row moves (or leaves) in place, the counts are
  // re-read; a thread the list does not hold yet (or a search) re-reads the page.
  useLive((event) => {
    if (event.type === 'sla') {
      // the clocks of a thread changed: its row's chip changes in place (or it joins or leaves the breaching-soon view)
      const current = list.data;
      const shown = current?.items.find((r) => r.threadId === event.threadId);
      // a warning or breach just recorded on my thread (or one nobody has) is told once, politely
      if (shown && (shown.assigneeId === null || shown.assigneeId === identity.accountId)) {
        for (const alert of freshSlaAlerts(event.threadId, shown.subject, event.sla, Date.now())) {
          if (toldAlerts.has(alert.key)) continue;
          toldAlerts.add(alert.key);
          toast(alert.text, 'error');
        }
      }
      if (current && shown) {
        const row = { ...shown, sla: event.headline };
        const others = current.items.filter((r) => r.threadId !== event.threadId);
        const items = matches(row) ? [row, ...others].sort(rowOrder(breachingSoon)) : others;
        list.setData(() => ({ ...current, items }));
      } else if (breachingSoon && event.headline && !q) void list.reload();
      return;
    }
    if (event.type === 'thread' && event.thread && !q) {
      const current = list.data;
      const shown = current?.items.find((r) => r.threadId === event.threadId);
      const row = keepSlaHeadline(event.thread as Row, shown);
      if (shown && shown.revision > row.revision) {
        // a push older than what a re-read already shows: nothing to do
      } else if (current && shown) {
        const others = current.items.filter((r) => r.threadId !== row.threadId);
        const items = matches(row) ? [row, ...others].sort(rowOrder(breachingSoon)) : others;
        list.setData(() => ({ ...current, items }));
      } else if (matches(row)) {
        void list.reload();
      }
      void counts.reload();
      return;
    }
    if (event.type === 'thread' || event.type === 'resync') refresh(null);
  });

  /** Arrow keys move between the status tabs (and select them), Home and End jump to the ends. */
  function onTabKey(event: KeyboardEvent<HTMLDivElement>) {
    const index = tabs.indexOf(status as (typeof tabs)[number]);
    const next =
      event.key === 'ArrowRight'
        ? (index + 1) % tabs.length
        : event.key === 'ArrowLeft'
          ? (index - 1 + tabs.length) % tabs.length
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? tabs.length - 1
              : -1;
    if (next < 0) return;
    event.preventDefault();
    const tab = tabs[next]!;
    update({ status: tab === 'ALL' ? null : tab });
    document.getElementById(`tab-${tab}`)?.focus();
  }

  const rows = list.data?.items ?? [];
  const hasFilters = Boolean(priority || queryType || assignee || q || breachingSoon);

  function threadHref(threadId: string): string {
    const next = new URLSearchParams(params);
    next.set('thread', threadId);
    return `?${next}`;
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Support inbox</h1>
          <p>
            {breachingSoon
              ? 'Breaching soon: threads with a running service-level clock, soonest deadline first.'
              : 'Partner queries, newest activity first.'}
          </p>
        </div>
        <span className="spacer" />
        <span className="live-pill" title="New threads and replies appear without reloading">
          Live
        </span>
      </div>

      <div className="card">
        <div className="tabs" role="tablist" aria-label="Status" style={{ padding: '0 12px' }} onKeyDown={onTabKey}>
          {tabs.map((tab) => (
            <button
              key={tab}
              type="button"
              role="tab"
              className="tab"
              aria-selected={status === tab}
              tabIndex={status === tab ? 0 : -1}
              id={`tab-${tab}`}
              aria-controls="inbox-list"
              onClick={() => update({ status: tab === 'ALL' ? null : tab })}
              data-testid={`tab-${tab}`}
            >
              {tab === 'ALL' ? 'All' : label(tab)}
              <span className="count" data-testid={`count-${tab}`} aria-label={`${counts.data?.[tab] ?? 0} threads`}>
                {counts.data ? counts.data[tab] : '·'}
              </span>
            </button>
          ))}
        </div>

        <div className="filters" role="search">
          <div className="search">
            <Icon name="search" />
            <label className="visually-hidden" htmlFor="inbox-search">
              Search subjects and messages
            </label>
            <input
              id="inbox-search"
              className="input input-sm"
              type="search"
              placeholder="Search subjects and messages"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </div>
          <label className="visually-hidden" htmlFor="filter-priority">
            Priority
          </label>
          <select
            id="filter-priority"
            className="select input-sm"
            value={priority}
            onChange={(e) => update({ priority: e.target.value })}
          >
            <option value="">Any priority</option>
            {priorities.map((p) => (
              <option key={p} value={p}>
                {label(p)}
              </option>
            ))}
          </select>
          <label className="visually-hidden" htmlFor="filter-assignee">
            Assignee
          </label>
          <select
            id="filter-assignee"
            className="select input-sm"
            value={assignee}
            onChange={(e) => update({ assignee: e.target.value })}
          >
            <option value="">Anyone</option>
            <option value="me">Assigned to me</option>
            <option value="none">Unassigned</option>
          </select>
          <label className="visually-hidden" htmlFor="filter-type">
            Query type
          </label>
          <select
            id="filter-type"
            className="select input-sm"
            value={queryType}
            onChange={(e) => update({ queryType: e.target.value })}
          >
            <option value="">Any type</option>
            {queryTypes.map((t) => (
              <option key={t} value={t}>
                {label(t)}
              </option>
            ))}
          </select>
          <Button
            size="sm"
            variant={breachingSoon ? 'primary' : 'secondary'}
            icon="clock"
            aria-pressed={breachingSoon}
            onClick={() => update({ sla: breachingSoon ? null : 'due' })}
            data-testid="breaching-soon"
          >
            Breaching soon
          </Button>
          {hasFilters ? (
            <Button
              size="sm"
              variant="ghost"
              onClick={() => {
                setSearch('');
                update({ priority: null, queryType: null, assignee: null, q: null, sla: null });
              }}
            >
              Clear
            </Button>
          ) : null}
        </div>

        <div id="inbox-list" role="tabpanel" aria-labelledby={`tab-${status}`} aria-busy={list.loading}>
          {list.loading ? (
            <SkeletonRows rows={6} />
          ) : list.error && !list.data ? (
            <ErrorState error={list.error} onRetry={() => void list.reload()} title="Could not load the inbox" />
          ) : rows.length === 0 ? (
            breachingSoon ? (
              <EmptyState icon="clock" title="Nothing is breaching soon">
                No thread matching these filters has a running service-level clock.
              </EmptyState>
            ) : hasFilters || status !== 'ALL' ? (
              <EmptyState icon="search" title="No threads match">
                Try another status, or clear the filters.
              </EmptyState>
            ) : (
              <EmptyState icon="inbox" title="The inbox is empty">
                New partner queries appear here as soon as they are raised.
              </EmptyState>
            )
          ) : (
            <ul className="thread-list" data-testid="inbox-rows" data-seen={seenVersion}>
              {rows.map((row) => {
                const unread = isUnread(identity.accountId, row.threadId, row.lastActivityAt);
                return (
                  <li
                    key={row.threadId}
                    className={`thread-row${unread ? ' unread' : ''}`}
                    aria-current={openThread === row.threadId ? 'true' : undefined}
                    data-testid="inbox-row"
                    data-thread-id={row.threadId}
                  >
                    <Link to={threadHref(row.threadId)}>
                      <span>{unread ? <span className="dot unread-dot" title="Unread" /> : null}</span>
                      <span style={{ minWidth: 0 }}>
                        <span className="thread-title">
                          <span className="subject">{row.subject}</span>
                          {unread ? <span className="visually-hidden">(unread)</span> : null}
                        </span>
                        <span className="thread-meta">
                          <span className="ref">{row.assignmentReference}</span>
                          <span>{row.partnerOrgId}</span>
                          <span>{label(row.queryType)}</span>
                          <span>{row.assigneeName ? `→ ${row.assigneeName}` : 'Unassigned'}</span>
                        </span>
                        {row.lastMessagePreview ? (
                          <span
                            className="thread-preview"
                            style={{ display: 'block' }}
                            data-testid="thread-preview"
                            data-visibility={row.lastMessageVisibility ?? undefined}
                          >
                            {row.lastMessageVisibility === 'internal' ? (
                              <span className="preview-note">Internal note: </span>
                            ) : row.lastMessageByKind === 'staff' ? (
                              'Staff: '
                            ) : (
                              ''
                            )}
                            {row.lastMessagePreview}
                          </span>
                        ) : null}
                      </span>
                      <span className="thread-side">
                        <time dateTime={row.lastActivityAt} title={formatDateTime(row.lastActivityAt)}>
                          {formatRelative(row.lastActivityAt)}
                        </time>
                        <StatusBadge status={row.status} />
                        <PriorityBadge priority={row.priority} />
                        {row.sla ? <SlaChip clock={row.sla} /> : null}
                        {row.awaiting === 'staff' ? (
                          <span className="awaiting" data-testid="awaiting-staff">
                            <Icon name="clock" size={12} />
                            Awaiting reply
                          </span>
                        ) : null}
                      </span>
                    </Link>
                  </li>
                );
              })}
            </ul>
          )}
          {list.data?.nextCursor && limit < MAX_LIVE ? (
            <div style={{ padding: 12, textAlign: 'center', borderTop: '1px solid var(--border)' }}>
              <Button size="sm" onClick={() => setLimit((l) => Math.min(MAX_LIVE, l + PAGE))}>
                Show more
              </Button>
            </div>
          ) : list.data?.nextCursor ? (
            <p
              className="small muted"
              style={{ padding: 12, textAlign: 'center', borderTop: '1px solid var(--border)' }}
            >
              Showing the latest {MAX_LIVE}. Use the filters or search to find older threads.
            </p>
          ) : null}
        </div>
      </div>

      {openThread ? (
        <ThreadDrawer
          key={openThread}
          threadId={openThread}
          identity={identity}
          onClose={() => update({ thread: null })}
          onChanged={refresh}
        />
      ) : null}
    </div>
  );
}
