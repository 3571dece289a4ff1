import { Link } from 'react-router-dom';
import { formatDateTime, formatRelative, label } from '../lib/format';
import type { PartnerThreadSummary } from '../lib/types';
import { Icon } from './Icon';
import { StatusBadge } from './ui';

/** A partner's (or guest's) threads: subject, assignment, last public message, "reply needed". */
export function PartnerThreadList({
  threads,
  hrefOf,
  current,
}: {
  threads: PartnerThreadSummary[];
  hrefOf: (threadId: string) => string;
  current?: string | null;
}) {
  return (
    <ul className="thread-list" data-testid="my-threads">
      {threads.map((t) => (
        <li
          key={t.threadId}
          className="thread-row"
          aria-current={current === t.threadId ? 'true' : undefined}
          data-testid="my-thread"
        >
          <Link to={hrefOf(t.threadId)}>
            <span>
              {t.awaitingYou ? <span className="dot unread-dot" style={{ background: 'var(--amber)' }} /> : null}
            </span>
            <span style={{ minWidth: 0 }}>
              <span className="thread-title">
                <span className="subject">{t.subject}</span>
              </span>
              <span className="thread-meta">
                <span className="ref">{t.assignmentReference}</span>
                <span>{label(t.queryType)}</span>
                <span>
                  {t.messageCount} message{t.messageCount === 1 ? '' : 's'}
                </span>
              </span>
              {t.lastMessagePreview ? (
                <span className="thread-preview" style={{ display: 'block' }}>
                  {t.lastMessageByKind === 'staff' ? 'Support: ' : ''}
                  {t.lastMessagePreview}
                </span>
              ) : null}
            </span>
            <span className="thread-side">
              <time dateTime={t.lastActivityAt} title={formatDateTime(t.lastActivityAt)}>
                {formatRelative(t.lastActivityAt)}
              </time>
              <StatusBadge status={t.status} />
              {t.awaitingYou ? (
                <span className="awaiting">
                  <Icon name="message" size={12} />
                  Reply needed
                </span>
              ) : null}
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
