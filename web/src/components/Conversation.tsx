import { useEffect, useRef } from 'react';
import { formatDateTime, formatRelative, label } from '../lib/format';
import type { EmailDelivery, Message } from '../lib/types';
import { Icon } from './Icon';
import { MessageAttachments } from './MessageAttachments';
import { Avatar, EmptyState } from './ui';

function deliveryClass(status: string): string {
  if (status === 'delivered' || status === 'sent' || status === 'accepted') return 'delivery-ok';
  if (['failed', 'dead', 'dead_lettered', 'bounced', 'complained', 'suppressed'].includes(status))
    return 'delivery-bad';
  return 'delivery-wait';
}

const deliveryText: Record<string, string> = {
  // the queue's `sent` and the thread's `accepted`: the provider took it, nothing reported yet
  accepted: 'sent',
  sent: 'sent',
  delayed: 'delayed',
  delivered: 'delivered',
  bounced: 'bounced',
  complained: 'marked as spam',
  suppressed: 'not sent: address suppressed',
  pending: 'queued',
  sending: 'sending',
  retrying: 'retrying',
  failed: 'failed',
  dead: 'failed after retries',
  dead_lettered: 'failed after retries',
};

/** Queue states of an email still on its way: newer than any outcome the thread view has. */
const onItsWay = new Set(['pending', 'sending', 'retrying']);
/** What the provider reported, as the queue tells it (`sent` aside: the queue's own word for "taken"). */
const reportedByQueue = new Set(['delayed', 'delivered', 'bounced', 'complained']);

/**
 * The emails of one message: the queue's (admins; the freshest, read from the outbox), each with
 * the thread view's state where the queue knows no more (a suppressed address, the development
 * mailbox's delivery); else the thread view's own.
 */
function mergedDeliveries(fromQueue: EmailDelivery[] | undefined, fromThread: EmailDelivery[]): EmailDelivery[] {
  if (!fromQueue) return fromThread;
  const reported = new Map(fromThread.map((d) => [d.id, d]));
  return fromQueue.map((d) => {
    const known = reported.get(d.id);
    if (!known || onItsWay.has(d.status) || reportedByQueue.has(d.status)) return d;
    return { ...d, status: known.status, lastError: known.lastError ?? d.lastError ?? null };
  });
}

function Deliveries({ deliveries }: { deliveries: EmailDelivery[] }) {
  if (deliveries.length === 0) return null;
  return (
    <ul className="deliveries" aria-label="Email delivery" style={{ listStyle: 'none', padding: 0 }}>
      {deliveries.map((d) => (
        <li
          key={d.id}
          className={`delivery ${deliveryClass(d.status)}`}
          title={d.lastError ?? undefined}
          data-testid="delivery"
        >
          <Icon name="mail" size={12} />
          <span>
            {d.recipient}: {deliveryText[d.status] ?? label(d.status)}
          </span>
        </li>
      ))}
    </ul>
  );
}

function authorLabel(m: Message): string {
  if (m.author.kind === 'system') return 'Support Desk';
  return m.author.name || label(m.author.kind);
}

/**
 * A thread's messages, oldest first. Internal notes (staff only) stand apart: yellow, dashed,
 * labelled "Internal note". New messages are announced politely (role="log").
 */
export function Conversation({
  messages,
  myId,
  deliveriesByMessage,
  audience,
  onEraseAttachment,
}: {
  messages: Message[];
  myId?: string | undefined;
  deliveriesByMessage?: Map<string, EmailDelivery[]> | undefined;
  audience: 'staff' | 'public';
  /** Admins in the drawer: erase a file's bytes, with a reason. */
  onEraseAttachment?: ((attachmentId: string, reason: string) => Promise<void>) | undefined;
}) {
  const end = useRef<HTMLDivElement>(null);
  const count = useRef(messages.length);
  useEffect(() => {
    if (messages.length !== count.current) {
      count.current = messages.length;
      end.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }
  }, [messages.length]);

  if (messages.length === 0) {
    return <EmptyState icon="message" title="No messages yet" />;
  }
  return (
    <>
      <ol
        className="conversation"
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        aria-label="Messages"
        data-testid="conversation"
      >
        {messages.map((m) => {
          const internal = m.visibility === 'internal';
          const mine = !!myId && m.author.id === myId;
          // the queue (admins) also knows emails still on their way; the thread view has the outcomes
          const deliveries = mergedDeliveries(
            deliveriesByMessage?.get(m.messageId),
            (m.emails ?? []).map((e) => ({ id: e.emailId, ...e })),
          );
          const staffSide = m.author.kind === 'staff';
          return (
            <li
              key={m.messageId}
              className={`message${internal ? ' internal' : ''}${mine ? ' mine' : ''}`}
              data-testid={internal ? 'internal-note' : 'message'}
            >
              <Avatar name={authorLabel(m)} kind={m.author.kind} small />
              <div className="message-bubble">
                <div className="message-head">
                  <span className="name">{mine ? `${authorLabel(m)} (you)` : authorLabel(m)}</span>
                  {audience === 'public' && staffSide ? <span className="badge badge-blue">Support</span> : null}
                  {audience === 'staff' && (m.author.kind === 'partner' || m.author.kind === 'guest') ? (
                    <span className="badge">{label(m.author.kind)}</span>
                  ) : null}
                  {m.via === 'email' ? (
                    <span className="badge" title="A reply by email" data-testid="via-email">
                      <Icon name="mail" size={11} /> by email
                    </span>
                  ) : null}
                  {internal ? (
                    <span className="note-label">
                      <Icon name="lock" size={11} />
                      Internal note
                    </span>
                  ) : null}
                  <time dateTime={m.createdAt} title={formatDateTime(m.createdAt)}>
                    {formatRelative(m.createdAt)}
                  </time>
                </div>
                <p className="message-body">{m.body}</p>
                <MessageAttachments
                  attachments={m.attachments}
                  audience={audience}
                  mine={mine}
                  onErase={onEraseAttachment}
                />
                {m.fullText ? (
                  // the whole email as text (quoted history, signature): never its HTML
                  <details className="message-quoted" data-testid="show-quoted">
                    <summary className="small muted">Show quoted text</summary>
                    <pre className="message-quoted-text">{m.fullText}</pre>
                  </details>
                ) : null}
                {audience === 'staff' ? <Deliveries deliveries={deliveries} /> : null}
              </div>
            </li>
          );
        })}
      </ol>
      <div ref={end} />
    </>
  );
}
