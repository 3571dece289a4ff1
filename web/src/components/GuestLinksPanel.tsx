import { useId, useState, type FormEvent } from 'react';
import { ApiError, api, errorText } from '../lib/api';
import { formatDateTime, formatRelative } from '../lib/format';
import type { GuestLink, IssuedGuestLink } from '../lib/types';
import { CopyButton } from './CopyButton';
import { Icon } from './Icon';
import { IssueLinkOriginWarning } from './PortalUrlWarning';
import { Alert, Button, Field } from './ui';

const lifetimes = [
  { seconds: 3600, text: '1 hour' },
  { seconds: 86_400, text: '1 day' },
  { seconds: 7 * 86_400, text: '7 days' },
  { seconds: 30 * 86_400, text: '30 days' },
];

const stateBadge: Record<GuestLink['state'], string> = {
  active: 'badge-green',
  expired: 'badge-gray',
  revoked: 'badge-red',
};

/**
 * Guest links of one thread: issue one (its URL is shown this once, with a copy button),
 * see each link's state, revoke.
 */
export function GuestLinksPanel({
  threadId,
  links,
  onChanged,
}: {
  threadId: string;
  links: GuestLink[];
  onChanged: (position: string | null) => void;
}) {
  const [open, setOpen] = useState(false);
  const [recipient, setRecipient] = useState('');
  const [lifetime, setLifetime] = useState(7 * 86_400);
  const [issued, setIssued] = useState<IssuedGuestLink | null>(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [confirming, setConfirming] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const headingId = useId();
  // the issued URL is offered only while that link still works: revoked here, by someone else
  // (the live list says so) or expired, the box goes away
  const issuedLink = issued ? links.find((l) => l.linkId === issued.linkId) : undefined;
  const shownIssued = issued && (!issuedLink || issuedLink.state === 'active') ? issued : null;

  async function issue(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const answer = await api.post<IssuedGuestLink>(`/api/support/threads/${threadId}/guest-links`, {
        recipientEmail: recipient.trim() || null,
        lifetimeSeconds: lifetime,
      });
      setIssued({ ...answer, recipientEmail: recipient.trim() || null });
      setOpen(false);
      setRecipient('');
      onChanged(answer.position);
    } catch (error) {
      setErrors(
        error instanceof ApiError && Object.keys(error.fieldErrors).length
          ? error.fieldErrors
          : { form: errorText(error) },
      );
    } finally {
      setBusy(false);
    }
  }

  async function revoke(linkId: string) {
    setRevoking(linkId);
    try {
      const answer = await api.del<{ position: string | null }>(`/api/support/guest-links/${linkId}`);
      setConfirming(null);
      if (issued?.linkId === linkId) setIssued(null);
      onChanged(answer.position);
    } catch (error) {
      setErrors({ form: errorText(error) });
    } finally {
      setRevoking(null);
    }
  }

  return (
    <section className="section" aria-labelledby={headingId} data-testid="guest-links">
      <h3 className="section-title" id={headingId}>
        <Icon name="link" size={13} />
        Guest links
        <span className="spacer" />
        {!open && !shownIssued ? (
          <Button size="sm" icon="plus" onClick={() => setOpen(true)}>
            Issue link
          </Button>
        ) : null}
      </h3>
      <IssueLinkOriginWarning />

      {shownIssued ? (
        <div className="token-box" data-testid="issued-link">
          <strong className="row">
            <Icon name="alert" />
            Copy this link now: it will not be shown again.
          </strong>
          <p className="small">
            Anyone with it can read and answer this thread until {formatDateTime(shownIssued.expiresAt)}, or until you
            revoke it.
            {shownIssued.recipientEmail ? ` It is also being emailed to ${shownIssued.recipientEmail}.` : null}
          </p>
          <div className="token-url">
            <label className="visually-hidden" htmlFor={`${headingId}-url`}>
              Guest link
            </label>
            <input
              id={`${headingId}-url`}
              className="input"
              readOnly
              value={shownIssued.url}
              data-copy-source
              onFocus={(e) => e.target.select()}
            />
            <CopyButton text={shownIssued.url} />
          </div>
          <div>
            <Button size="sm" variant="ghost" onClick={() => setIssued(null)}>
              Done, I copied it
            </Button>
          </div>
        </div>
      ) : null}

      {open ? (
        <form className="card card-pad stack" onSubmit={(e) => void issue(e)} style={{ marginBottom: 12 }}>
          <Field
            label="Recipient email"
            optional
            hint="We email them the link now, and staff replies with it while it works."
            error={errors.recipientEmail}
          >
            {(p) => (
              <input
                {...p}
                className="input"
                type="email"
                value={recipient}
                onChange={(e) => setRecipient(e.target.value)}
                data-autofocus
              />
            )}
          </Field>
          <Field label="Valid for" error={errors.lifetimeSeconds}>
            {(p) => (
              <select {...p} className="select" value={lifetime} onChange={(e) => setLifetime(Number(e.target.value))}>
                {lifetimes.map((l) => (
                  <option key={l.seconds} value={l.seconds}>
                    {l.text}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
          <div className="row">
            <Button type="submit" variant="primary" busy={busy}>
              Issue link
            </Button>
            <Button variant="ghost" onClick={() => setOpen(false)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : errors.form ? (
        <Alert kind="error">{errors.form}</Alert>
      ) : null}

      {links.length === 0 ? (
        <p className="small muted">No guest links yet. Issue one to let someone without an account join this thread.</p>
      ) : (
        <ul className="link-list" style={{ marginTop: 8 }}>
          {links.map((l) => (
            <li key={l.linkId} data-testid="guest-link" data-state={l.state}>
              <span className={`badge ${stateBadge[l.state]}`}>{l.state[0]!.toUpperCase() + l.state.slice(1)}</span>
              <span>{l.recipientEmail ?? <span className="muted">No recipient</span>}</span>
              <span className="small muted">
                by {l.issuedBy} {formatRelative(l.issuedAt)} ·{' '}
                {l.state === 'revoked'
                  ? `revoked ${formatRelative(l.revokedAt)}`
                  : l.state === 'expired'
                    ? `expired ${formatRelative(l.expiresAt)}`
                    : `expires ${formatRelative(l.expiresAt)}`}
              </span>
              <span className="spacer" />
              {l.state === 'active' ? (
                confirming === l.linkId ? (
                  <span className="row">
                    <Button
                      size="sm"
                      variant="danger"
                      busy={revoking === l.linkId}
                      onClick={() => void revoke(l.linkId)}
                    >
                      Confirm revoke
                    </Button>
                    <Button size="sm" variant="ghost" onClick={() => setConfirming(null)}>
                      Keep
                    </Button>
                  </span>
                ) : (
                  <Button size="sm" variant="danger" onClick={() => setConfirming(l.linkId)}>
                    Revoke
                  </Button>
                )
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
