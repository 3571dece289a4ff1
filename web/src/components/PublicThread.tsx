import { useRef, useState, type ReactNode } from 'react';
import { ApiError, api } from '../lib/api';
import { awaitsScan, SCAN_REFRESH_MS } from '../lib/attachments';
import { formatDateTime, label } from '../lib/format';
import { useLive, usePresence, type PresencePeer } from '../lib/live';
import { applyThreadPush } from '../lib/threadPatch';
import type { CommandAnswer, PartnerThreadSummary, ThreadView } from '../lib/types';
import { queryKeys } from '../lib/queryKeys';
import { useDeskQuery } from '../lib/useDeskQuery';
import { Conversation } from './Conversation';
import { Icon } from './Icon';
import { ReplyBox } from './ReplyBox';
import { ThreadLinks } from './ThreadLinks';
import { useToast } from './Toasts';
import { ErrorState, PriorityBadge, SkeletonRows, StatusBadge } from './ui';

type PublicThreadView = ThreadView<PartnerThreadSummary>;

/** "Support is typing…", or with the desk showing names "Alex Agent (support) is typing…"; '' when nobody is. */
export function typingText(peers: readonly PresencePeer[]): string {
  const typing = peers.filter((p) => p.kind === 'staff' && p.typing);
  if (typing.length === 0) return '';
  const names = typing.map((p) => p.name).filter(Boolean);
  if (names.length === 0) return 'Support is typing…';
  return `${names.join(' and ')} (support) ${names.length > 1 ? 'are' : 'is'} typing…`;
}

/**
 * A thread as a partner or guest sees it: external messages only (the API never sends them
 * internal notes), live, with a reply box.
 */
export function PublicThread({
  threadId,
  myId,
  breadcrumb,
  onLoaded,
  onInvalidLink,
  threadHref,
}: {
  threadId: string;
  myId?: string;
  breadcrumb?: ReactNode;
  /** Where a linked thread (a follow-up, or the closed thread it continues) opens; without it, no link. */
  threadHref?: (threadId: string) => string;
  onLoaded?: (thread: PartnerThreadSummary) => void;
  onInvalidLink?: () => void;
}) {
  const toast = useToast();
  const [typing, setTyping] = useState(false);
  // staff see who is viewing or typing; here, only whether support is writing (by name when the desk says so)
  const peers = usePresence(threadId, typing, myId ?? '');
  const supportTyping = typingText(peers);
  const shownRef = useRef<PublicThreadView | undefined>(undefined);
  const view = useDeskQuery({
    queryKey: queryKeys.publicThread(threadId),
    read: async (signal, waitFor) => {
      try {
        const fetched = await api.get<PublicThreadView>(`/api/support/threads/${threadId}`, { signal, waitFor });
        // a re-read that started before a push arrived must not put the older state back
        const shown = shownRef.current;
        const answer =
          shown && shown.thread.threadId === threadId && shown.thread.messageCount > fetched.thread.messageCount
            ? shown
            : fetched;
        onLoaded?.(answer.thread);
        return answer;
      } catch (error) {
        if (error instanceof ApiError && error.code === 'invalid_link') onInvalidLink?.();
        throw error;
      }
    },
    // a file waiting for its virus scan gets its links when the scan is done: look again until then
    refetchInterval: (data) => (data && awaitsScan(data.messages) ? SCAN_REFRESH_MS : false),
  });
  useLive((event) => {
    if (event.type === 'resync') return void view.reload();
    if (event.type !== 'thread' || event.threadId !== threadId) return;
    const patched = applyThreadPush(view.data, event);
    if (patched) view.setData(() => patched);
    else void view.reload();
  });

  async function send(body: string, _visibility: unknown, attachmentIds: string[]) {
    const answer = await api.post<CommandAnswer>(`/api/support/threads/${threadId}/messages`, {
      body,
      ...(attachmentIds.length ? { attachmentIds } : {}),
    });
    await view.reload({ waitFor: answer.position });
    toast('Message sent');
  }

  if (view.loading) {
    return (
      <div className="card">
        <SkeletonRows rows={4} />
      </div>
    );
  }
  if (view.error && !view.data) {
    return (
      <div className="card">
        <ErrorState error={view.error} onRetry={() => void view.reload()} title="Could not load this conversation" />
      </div>
    );
  }
  const data = view.data;
  shownRef.current = data;
  if (!data) return null;
  const t = data.thread;
  return (
    <>
      <div className="page-header">
        <div style={{ minWidth: 0 }}>
          {breadcrumb}
          <h1 style={{ wordBreak: 'break-word' }}>{t.subject}</h1>
          <div className="row-wrap small muted" style={{ marginTop: 8 }}>
            <StatusBadge status={t.status} />
            <PriorityBadge priority={t.priority} />
            <span className="ref">{t.assignmentReference}</span>
            <span>{label(t.queryType)}</span>
            <span>Raised {formatDateTime(t.raisedAt)}</span>
          </div>
          <ThreadLinks
            followUpOf={data.followUpOf}
            continuedIn={data.continuedIn}
            {...(threadHref ? { hrefOf: threadHref } : {})}
          />
        </div>
      </div>
      <div className="card">
        <div className="card-body">
          {t.awaitingYou ? (
            <p className="awaiting" style={{ marginBottom: 12 }}>
              <Icon name="message" size={13} />
              Support replied and is waiting for your answer.
            </p>
          ) : null}
          <Conversation messages={data.messages} myId={myId} audience="public" />
          <p
            className="presence"
            aria-live="polite"
            data-testid="support-typing"
            style={{ marginTop: 12, minHeight: 20 }}
          >
            {supportTyping}
          </p>
        </div>
        <div className="card-footer" style={{ display: 'block' }}>
          <ReplyBox
            onSend={send}
            onTyping={setTyping}
            placeholder="Write your reply…"
            disabledReason={
              t.status === 'CLOSED' ? 'This query is closed. Raise a new query if you need more help.' : null
            }
          />
        </div>
      </div>
    </>
  );
}
