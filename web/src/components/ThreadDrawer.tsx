import { useMemo, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, errorText } from '../lib/api';
import { awaitsScan, SCAN_REFRESH_MS } from '../lib/attachments';
import { formatDateTime, formatDuration, label } from '../lib/format';
import { useLive, usePresence } from '../lib/live';
import { applyThreadPush } from '../lib/threadPatch';
import { canAudit, canManageSupport, isAdmin, type SignedIn } from '../lib/session';
import {
  priorities,
  type CommandAnswer,
  type EmailDelivery,
  type EmailQueue,
  type StaffThreadSummary,
  type ThreadView,
} from '../lib/types';
import { keepSlaHeadline } from '../lib/sla';
import { markSeen, rememberStaff } from '../lib/unread';
import { queryKeys } from '../lib/queryKeys';
import { useDeskQuery } from '../lib/useDeskQuery';
import { AssigneePicker } from './AssigneePicker';
import { Conversation } from './Conversation';
import { Drawer } from './Drawer';
import { GuestLinksPanel } from './GuestLinksPanel';
import { SatisfactionPanel } from './SatisfactionPanel';
import { Icon } from './Icon';
import { ThreadLinks } from './ThreadLinks';
import { ReplyBox, type Visibility } from './ReplyBox';
import { SlaPanel } from './sla/SlaPanel';
import { useToast } from './Toasts';
import { Alert, Button, ErrorState, PriorityBadge, SkeletonRows, StatusBadge } from './ui';

type StaffThread = ThreadView<StaffThreadSummary>;

/**
 * One thread, for staff: the conversation with internal notes, the reply box, and the
 * controls (resolve, close, reopen, assign, priority, guest links). After each command it
 * re-reads with ?waitFor=<position>, so the change is on screen when the spinner stops.
 */
export function ThreadDrawer({
  threadId,
  identity,
  onClose,
  onChanged,
}: {
  threadId: string;
  identity: SignedIn;
  onClose: () => void;
  onChanged: (position: string | null) => void;
}) {
  const toast = useToast();
  const manager = canManageSupport(identity);
  const [typing, setTyping] = useState(false);
  // typing a note: staff see it, the partner is not told
  const [typingNote, setTypingNote] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const peers = usePresence(threadId, typing, identity.accountId, typingNote);

  // a re-read that started before a push arrived must not put the older state back
  const shownRef = useRef<StaffThread | undefined>(undefined);
  const view = useDeskQuery({
    queryKey: queryKeys.staffThread(threadId),
    read: async (signal, waitFor) => {
      const fetched = await api.get<StaffThread>(`/api/support/threads/${threadId}`, { signal, waitFor });
      const shown = shownRef.current;
      const answer =
        shown && shown.thread.threadId === threadId && shown.thread.revision > fetched.thread.revision
          ? shown
          : fetched;
      markSeen(identity.accountId, threadId, answer.thread.lastActivityAt);
      const staff = answer.messages.filter((m) => m.author.kind === 'staff').map((m) => m.author);
      if (answer.thread.assigneeId && answer.thread.assigneeName) {
        staff.push({ kind: 'staff', id: answer.thread.assigneeId, name: answer.thread.assigneeName });
      }
      rememberStaff(staff);
      return answer;
    },
    // delivery reports are not pushed: while an email of the last hour still waits for its report, look again
    // and while a file waits for its virus scan (its chip and links change when it is done)
    refetchInterval: (data) =>
      data && awaitsDeliveryReport(data, Date.now())
        ? DELIVERY_REFRESH_MS
        : data && awaitsScan(data.messages)
          ? SCAN_REFRESH_MS
          : false,
  });

  // Each email's delivery state: from the thread view when it carries it, else (admins) from the queue.
  const emails = useDeskQuery({
    queryKey: queryKeys.threadEmails(threadId),
    read: async (signal) => {
      if (!isAdmin(identity)) return null;
      try {
        return await api.get<EmailQueue>('/api/ops/email/queue', { signal, query: { threadId, limit: 200 } });
      } catch {
        return null;
      }
    },
  });
  const deliveriesByMessage = useMemo(() => {
    const map = new Map<string, EmailDelivery[]>();
    for (const e of emails.data?.emails ?? []) {
      if (!e.messageId) continue;
      const list = map.get(e.messageId) ?? [];
      list.push({
        id: e.id,
        recipient: e.recipient,
        status: e.delivery?.state ?? e.status,
        template: e.template,
        attempts: e.attempts,
        lastError: e.lastError,
        at: e.sentAt ?? e.updatedAt,
      });
      map.set(e.messageId, list);
    }
    return map;
  }, [emails.data]);

  useLive((event) => {
    if (event.type === 'resync') {
      void view.reload();
      void emails.reload();
      return;
    }
    if (event.type === 'guestLinks' && event.threadId === threadId) {
      view.setData((current) => (current ? { ...current, guestLinks: event.guestLinks } : current));
      return;
    }
    if (event.type === 'sla') {
      // the clocks changed (a reply stopped one, the scheduler warned or breached, a re-apply)
      if (event.threadId === threadId)
        view.setData((current) =>
          current ? { ...current, sla: event.sla, thread: { ...current.thread, sla: event.headline } } : current,
        );
      return;
    }
    if (event.type !== 'thread' || event.threadId !== threadId) return;
    const patched = applyThreadPush(view.data, event);
    if (patched) {
      // a thread push leaves the clocks out: the ones shown stay until an `sla` frame moves them
      view.setData(() => ({ ...patched, thread: keepSlaHeadline(patched.thread, view.data?.thread) }));
      markSeen(identity.accountId, threadId, patched.thread.lastActivityAt);
    } else void view.reload();
    void emails.reload();
  });

  async function command(name: string, path: string, body: unknown, success: string) {
    setBusy(name);
    setActionError(null);
    try {
      const answer = await api.post<CommandAnswer>(`/api/support/threads/${threadId}/${path}`, body);
      await view.reload({ waitFor: answer.position });
      onChanged(answer.position);
      toast(success);
    } catch (error) {
      setActionError(errorText(error));
    } finally {
      setBusy(null);
    }
  }

  async function send(body: string, visibility: Visibility, attachmentIds: string[]) {
    const answer = await api.post<CommandAnswer>(`/api/support/threads/${threadId}/messages`, {
      body,
      visibility,
      ...(attachmentIds.length ? { attachmentIds } : {}),
    });
    await view.reload({ waitFor: answer.position });
    onChanged(answer.position);
    void emails.reload();
    toast(visibility === 'internal' ? 'Internal note added' : 'Reply sent');
  }

  // the bytes go for good (the history keeps the file's hash, shown as removed): admins only, with a reason
  async function eraseAttachment(attachmentId: string, reason: string) {
    const answer = await api.post<CommandAnswer>(
      `/api/support/threads/${threadId}/attachments/${encodeURIComponent(attachmentId)}/erase`,
      { reason },
    );
    await view.reload({ waitFor: answer.position });
    onChanged(answer.position);
    toast('File erased');
  }

  const data = view.data;
  shownRef.current = data;
  const t = data?.thread;

  function assign(assignee: { id: string; name: string } | null) {
    if (!assignee) return void command('assign', 'assign', { assigneeId: null }, 'Unassigned');
    void command(
      'assign',
      'assign',
      { assigneeId: assignee.id, assigneeName: assignee.name },
      `Assigned to ${assignee.id === identity.accountId ? 'you' : assignee.name}`,
    );
  }

  const title = t ? t.subject : view.error ? 'Thread' : 'Loading…';
  const subtitle = t ? (
    <>
      <StatusBadge status={t.status} />
      <PriorityBadge priority={t.priority} />
      <span className="ref">{t.assignmentReference}</span>
      <span>{label(t.queryType)}</span>
    </>
  ) : null;

  const footer = !t ? null : manager ? (
    <ReplyBox
      allowInternal
      onSend={send}
      onTyping={(now, visibility) => {
        setTyping(now);
        setTypingNote(visibility === 'internal');
      }}
      disabledReason={t.status === 'CLOSED' ? 'This thread is closed. Reopen it to reply.' : null}
    />
  ) : (
    <p className="small muted row">
      <Icon name="eye" size={14} />
      Read-only: your role can view threads but not answer them.
    </p>
  );

  return (
    <Drawer title={title} subtitle={subtitle} onClose={onClose} footer={footer} testId="thread-drawer">
      {view.loading ? (
        <SkeletonRows rows={4} />
      ) : view.error && !data ? (
        <ErrorState error={view.error} onRetry={() => void view.reload()} />
      ) : data && t ? (
        <>
          {peers.length > 0 ? (
            <p className="presence" aria-live="polite" data-testid="presence" style={{ marginBottom: 12 }}>
              <Icon name="eye" size={14} />
              {peers.map((p) => `${p.name}${p.typing ? ' is typing…' : ' is viewing'}`).join(' · ')}
            </p>
          ) : null}

          <dl className="facts">
            <div>
              <dt>Partner</dt>
              <dd>{t.partnerOrgId}</dd>
            </div>
            <div>
              <dt>Raised by</dt>
              <dd>{t.raisedBy.name}</dd>
            </div>
            <div>
              <dt>Raised</dt>
              <dd>{formatDateTime(t.raisedAt)}</dd>
            </div>
            <div>
              <dt>First response</dt>
              <dd>{formatDuration(t.firstResponseSeconds)}</dd>
            </div>
            <div>
              <dt>Resolution</dt>
              <dd>{formatDuration(t.resolutionSeconds)}</dd>
            </div>
            <div>
              <dt>Assignee</dt>
              <dd>{t.assigneeName ?? <span className="muted">Unassigned</span>}</dd>
            </div>
          </dl>

          {manager ? (
            <div className="toolbar" style={{ marginTop: 16 }} aria-label="Thread actions" role="group">
              {t.status === 'OPEN' || t.status === 'PENDING' ? (
                <Button
                  size="sm"
                  icon="checkCircle"
                  busy={busy === 'resolve'}
                  onClick={() => void command('resolve', 'resolve', {}, 'Thread resolved')}
                >
                  Resolve
                </Button>
              ) : null}
              {t.status === 'RESOLVED' || t.status === 'CLOSED' ? (
                <Button
                  size="sm"
                  icon="refresh"
                  busy={busy === 'reopen'}
                  onClick={() => void command('reopen', 'reopen', {}, 'Thread reopened')}
                >
                  Reopen
                </Button>
              ) : null}
              {t.status !== 'CLOSED' ? (
                <Button
                  size="sm"
                  icon="lock"
                  busy={busy === 'close'}
                  aria-label="Close thread"
                  onClick={() => void command('close', 'close', {}, 'Thread closed')}
                >
                  Close thread
                </Button>
              ) : null}
              <span className="spacer" />
              <AssigneePicker
                identity={identity}
                assigneeId={t.assigneeId}
                assigneeName={t.assigneeName}
                disabled={busy === 'assign'}
                onAssign={assign}
              />
              <label className="visually-hidden" htmlFor="priority-select">
                Priority
              </label>
              <select
                id="priority-select"
                className="select input-sm"
                style={{ width: 'auto' }}
                value={t.priority}
                disabled={busy === 'priority'}
                onChange={(e) =>
                  void command(
                    'priority',
                    'priority',
                    { priority: e.target.value },
                    `Priority set to ${label(e.target.value)}`,
                  )
                }
              >
                {priorities.map((p) => (
                  <option key={p} value={p}>
                    {label(p)} priority
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {canAudit(identity) ? (
            <p style={{ marginTop: 12 }}>
              <Link to={`/audit/threads/${threadId}`} className="row small" style={{ display: 'inline-flex' }}>
                <Icon name="history" size={14} />
                View history and verify
              </Link>
            </p>
          ) : null}
          {data.sla !== undefined ? (
            <SlaPanel
              sla={data.sla}
              reapplying={busy === 'reapply'}
              onReapply={
                isAdmin(identity)
                  ? () => void command('reapply', 'sla/reapply', {}, 'Current policy re-applied')
                  : undefined
              }
            />
          ) : null}
          {actionError ? (
            <div style={{ marginTop: 12 }}>
              <Alert kind="error">{actionError}</Alert>
            </div>
          ) : null}

          {data.suppressedRecipients?.length ? (
            <div style={{ marginTop: 12 }} data-testid="suppressed-recipients">
              <Alert kind="warning">
                No mail goes to{' '}
                {data.suppressedRecipients
                  .map((r) => `${r.address} (${r.reason === 'complained' ? 'marked our mail as spam' : 'bounced'})`)
                  .join(', ')}{' '}
                until an admin clears it on the Operations page.
              </Alert>
            </div>
          ) : null}
          <ThreadLinks
            followUpOf={data.followUpOf}
            continuedIn={data.continuedIn}
            hrefOf={(id) => `/admin/support?thread=${encodeURIComponent(id)}`}
          />

          <section className="section" aria-label="Conversation">
            <h3 className="section-title">
              <Icon name="message" size={13} />
              Conversation · {data.messages.length}
            </h3>
            <Conversation
              messages={data.messages}
              myId={identity.accountId}
              deliveriesByMessage={deliveriesByMessage}
              audience="staff"
              onEraseAttachment={isAdmin(identity) ? eraseAttachment : undefined}
            />
          </section>

          <SatisfactionPanel threadId={threadId} revision={data.thread.revision} />
          {manager ? (
            <GuestLinksPanel
              threadId={threadId}
              links={data.guestLinks ?? []}
              onChanged={(position) => {
                void view.reload({ waitFor: position });
                onChanged(position);
              }}
            />
          ) : null}
        </>
      ) : null}
    </Drawer>
  );
}

const DELIVERY_REFRESH_MS = 5_000;
const WAITING_STATES = new Set(['pending', 'sending', 'retrying', 'accepted', 'sent', 'delayed']);

/** Whether an email of the last hour has no final word yet (delivered, bounced, failed…). */
function awaitsDeliveryReport(view: StaffThread, now: number): boolean {
  return view.messages.some((m) =>
    (m.emails ?? []).some((e) => WAITING_STATES.has(e.status) && now - Date.parse(e.at) < 3_600_000),
  );
}
