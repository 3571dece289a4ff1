import { useState, type FormEvent } from 'react';
import { ApiError, api, errorText } from '../../lib/api';
import { formatRelative } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';
import type { MailboxEmail } from '../../lib/types';
import { useDeskQuery } from '../../lib/useDeskQuery';
import { Icon } from '../Icon';
import { useToast } from '../Toasts';
import { Button, EmptyState, ErrorState, SkeletonRows } from '../ui';

/** The development mailbox: what was "delivered" locally when no email provider is configured. Polls. */
export function Mailbox() {
  const mailbox = useDeskQuery({
    queryKey: queryKeys.mailbox(),
    read: (signal) => api.get<{ emails: MailboxEmail[] }>('/api/ops/mailbox', { signal, query: { limit: 30 } }),
    refetchInterval: 5000,
  });
  const absent = mailbox.error instanceof ApiError && mailbox.error.status === 404;
  return (
    <section className="card" aria-labelledby="mailbox-heading" data-testid="mailbox">
      <div className="card-header">
        <Icon name="inbox" />
        <h2 id="mailbox-heading">Development mailbox</h2>
        <span className="spacer" />
        <span className="small muted">Emails “delivered” locally when no provider is configured</span>
      </div>
      {mailbox.loading ? (
        <SkeletonRows rows={3} />
      ) : absent ? (
        <EmptyState icon="mail" title="No development mailbox">
          Emails go to the real provider (or this desk has no local mailbox).
        </EmptyState>
      ) : mailbox.error && !mailbox.data ? (
        <ErrorState error={mailbox.error} onRetry={() => void mailbox.reload()} />
      ) : mailbox.data?.emails.length ? (
        <ul className="mail-list">
          {mailbox.data.emails.map((m) => (
            <li key={m.id}>
              <details>
                <summary>
                  <span style={{ minWidth: 0 }}>
                    <span
                      style={{
                        display: 'block',
                        fontWeight: 500,
                        overflow: 'hidden',
                        textOverflow: 'ellipsis',
                        whiteSpace: 'nowrap',
                      }}
                    >
                      {m.subject}
                    </span>
                    <span className="small muted">
                      {m.from} → {m.to}
                    </span>
                  </span>
                  <span className="small muted nowrap">{formatRelative(m.deliveredAt)}</span>
                </summary>
                {/* the text part, as text: the HTML part is never rendered */}
                <div className="mail-body">{m.text}</div>
                <ReplyAsRecipient email={m} />
              </details>
            </li>
          ))}
        </ul>
      ) : (
        <EmptyState icon="mail" title="The mailbox is empty">
          Raise a query to see the notification and acknowledgement emails here.
        </EmptyState>
      )}
    </section>
  );
}

/**
 * "Reply as the recipient": what the recipient's mail program would send on Reply (to the
 * email's Reply-To, threaded, the original quoted), received as Resend's `email.received` is.
 * The inbound worker then posts it in its thread, holds it for staff, or ignores it.
 */
function ReplyAsRecipient({ email }: { email: MailboxEmail }) {
  const toast = useToast();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const to = email.headers['Reply-To'] ?? email.from;

  async function send(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/ops/mailbox/${email.id}/reply`, { text });
      setText('');
      toast(`Reply from ${email.to} received; it appears in its thread in a moment`);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="mail-reply" onSubmit={(e) => void send(e)} aria-label={`Reply as ${email.to}`}>
      <label className="small muted" htmlFor={`mail-reply-${email.id}`}>
        Reply as the recipient ({email.to}) to {to}
      </label>
      <textarea
        id={`mail-reply-${email.id}`}
        className="textarea"
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder="Write the reply the recipient would send"
        data-testid="mailbox-reply-text"
      />
      {error ? (
        <p className="small error" role="alert">
          {error}
        </p>
      ) : null}
      <Button type="submit" icon="send" busy={busy} disabled={text.trim() === ''} data-testid="mailbox-reply-send">
        Reply as the recipient
      </Button>
    </form>
  );
}
