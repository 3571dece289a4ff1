import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { Icon } from '../components/Icon';
import { useToast } from '../components/Toasts';
import { Alert, Button, EmptyState, ErrorState, Field, SkeletonRows } from '../components/ui';
import { api, errorText } from '../lib/api';
import { formatDateTime, formatNumber, label } from '../lib/format';
import { isAdmin, useIdentity } from '../lib/session';
import { formatMinutes, slaMetrics, type Calendar, type Policy } from '../lib/sla';
import type { SlaReapplied } from '../lib/types';
import { useChangedBy, useSlaConfig } from '../lib/slaConfig';

/**
 * /admin/service-levels: the business-hour calendars and the service-level policies, in the order
 * they are tried; admins add, edit and remove them and re-apply the current policies to the
 * threads raised in a period. Agents see the same, read-only.
 */
export function ServiceLevelsPage() {
  const identity = useIdentity();
  const admin = isAdmin(identity);
  const config = useSlaConfig();
  const changedBy = useChangedBy(identity);
  const policies = [...(config.data?.policies ?? [])].sort((a, b) => a.position - b.position);
  const calendars = [...(config.data?.calendars ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  const calendarName = (id: string) => calendars.find((c) => c.calendarId === id)?.name ?? 'a removed calendar';

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Service levels</h1>
          <p>
            How fast support answers and resolves, counted in business hours. A new thread gets the first policy that
            matches it and keeps that version.
          </p>
        </div>
      </div>
      {!admin ? (
        <div style={{ marginBottom: 16 }}>
          <Alert kind="info">Read-only: only admins change service levels.</Alert>
        </div>
      ) : null}
      {config.loading ? (
        <div className="card">
          <SkeletonRows rows={4} />
        </div>
      ) : config.error && !config.data ? (
        <div className="card">
          <ErrorState error={config.error} onRetry={() => void config.reload()} title="Could not load service levels" />
        </div>
      ) : (
        <div className="stack">
          <section className="card" aria-labelledby="policies-heading">
            <div className="card-body">
              <div className="row" style={{ marginBottom: 8 }}>
                <h2 id="policies-heading" className="section-title" style={{ margin: 0 }}>
                  Policies, in the order they are tried
                </h2>
                <span className="spacer" />
                {admin ? (
                  <Link className="btn btn-primary btn-sm" to="/admin/service-levels/policies/new">
                    <Icon name="plus" />
                    New policy
                  </Link>
                ) : null}
              </div>
              {policies.length === 0 ? (
                <EmptyState icon="clock" title="No policies yet">
                  Threads run no clocks until a policy matches them.
                </EmptyState>
              ) : (
                <div className="table-wrap">
                  <table className="table" data-testid="sla-policies">
                    <thead>
                      <tr>
                        <th scope="col">#</th>
                        <th scope="col">Policy</th>
                        <th scope="col">Matches</th>
                        <th scope="col">Calendar</th>
                        <th scope="col">Urgent targets</th>
                        <th scope="col">Version</th>
                      </tr>
                    </thead>
                    <tbody>
                      {policies.map((p) => (
                        <tr key={p.policyId} data-testid="sla-policy-row">
                          <td>{p.position}</td>
                          <td>
                            <Link to={`/admin/service-levels/policies/${p.policyId}`}>{p.name}</Link>
                          </td>
                          <td>{matchSummary(p)}</td>
                          <td>{calendarName(p.calendarId)}</td>
                          <td className="small">{targetSummary(p)}</td>
                          <td className="small muted">
                            {p.version} · {changedBy(p.updatedBy)}, {formatDateTime(p.updatedAt)}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          </section>

          <section className="card" aria-labelledby="calendars-heading">
            <div className="card-body">
              <div className="row" style={{ marginBottom: 8 }}>
                <h2 id="calendars-heading" className="section-title" style={{ margin: 0 }}>
                  Business-hour calendars
                </h2>
                <span className="spacer" />
                {admin ? (
                  <Link className="btn btn-sm" to="/admin/service-levels/calendars/new">
                    <Icon name="plus" />
                    New calendar
                  </Link>
                ) : null}
              </div>
              {calendars.length === 0 ? (
                <EmptyState icon="clock" title="No calendars yet">
                  A policy counts its targets on a calendar: make one first (24/7 or business hours).
                </EmptyState>
              ) : (
                <div className="table-wrap">
                  <table className="table" data-testid="sla-calendars">
                    <thead>
                      <tr>
                        <th scope="col">Calendar</th>
                        <th scope="col">Time zone</th>
                        <th scope="col">Hours</th>
                        <th scope="col">Version</th>
                      </tr>
                    </thead>
                    <tbody>
                      {calendars.map((c) => (
                        <tr key={c.calendarId} data-testid="sla-calendar-row">
                          <td>
                            <Link to={`/admin/service-levels/calendars/${c.calendarId}`}>{c.name}</Link>
                          </td>
                          <td>{c.timeZone}</td>
                          <td>{hoursSummary(c)}</td>
                          <td className="small muted">
                            {c.version} · {changedBy(c.updatedBy)}, {formatDateTime(c.updatedAt)}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          </section>

          {admin ? <ReapplyCard /> : null}
        </div>
      )}
    </div>
  );
}

function matchSummary(p: Policy): string {
  const types = p.match.queryTypes.length ? p.match.queryTypes.map(label).join(', ') : 'any query type';
  const orgs = p.match.partnerOrgIds.length ? p.match.partnerOrgIds.join(', ') : 'any partner';
  return `${types}; ${orgs}`;
}

function targetSummary(p: Policy): string {
  const t = p.targets.URGENT;
  const names = { firstResponse: 'first reply', nextResponse: 'next reply', resolution: 'resolve' } as const;
  const parts = slaMetrics
    .map((m) => ({ m, minutes: t[`${m}Minutes`] }))
    .filter((x) => x.minutes !== null)
    .map((x) => `${names[x.m]} ${formatMinutes(x.minutes)}`);
  return parts.length ? parts.join(' · ') : 'none';
}

function hoursSummary(c: Calendar): string {
  if (c.alwaysOpen) return '24/7';
  const open = Object.values(c.week).filter((intervals) => intervals.length > 0).length;
  const holidays = c.holidays.length ? `, ${c.holidays.length} holiday${c.holidays.length === 1 ? '' : 's'}` : '';
  return `${open} day${open === 1 ? '' : 's'} a week${holidays}`;
}

/** Re-applies today's matching policy to every thread raised in a period (each recorded on its thread). */
function ReapplyCard() {
  const toast = useToast();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ from?: string; to?: string; form?: string }>({});
  const [done, setDone] = useState<SlaReapplied | null>(null);

  function check(event: FormEvent) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!from) found.from = 'Pick the first day.';
    if (!to) found.to = 'Pick the last day.';
    if (from && to && to < from) found.to = 'The last day is before the first.';
    setErrors(found);
    setDone(null);
    if (!found.from && !found.to) setConfirming(true);
  }

  async function reapply() {
    setBusy(true);
    try {
      // whole days in this browser's time zone
      const raisedFrom = new Date(`${from}T00:00:00`).toISOString();
      const raisedTo = new Date(new Date(`${to}T00:00:00`).getTime() + 86_400_000).toISOString();
      // the desk re-applies a part at a time and says where the next part starts
      const answer = { threads: 0, changed: 0, next: null as string | null };
      let start: string | null = raisedFrom;
      while (start !== null) {
        const part: SlaReapplied = await api.post<SlaReapplied>('/api/support/sla/reapply', {
          raisedFrom: start,
          raisedTo,
        });
        answer.threads += part.threads;
        answer.changed += part.changed;
        start = part.next;
      }
      setDone(answer);
      setConfirming(false);
      toast(`Re-applied to ${formatNumber(answer.threads)} thread${answer.threads === 1 ? '' : 's'}`);
    } catch (error) {
      setErrors({ form: errorText(error) });
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={check} noValidate aria-labelledby="reapply-heading" data-testid="sla-reapply">
      <div className="card-body stack">
        <h2 id="reapply-heading" className="section-title" style={{ margin: 0 }}>
          Re-apply to threads raised between …
        </h2>
        <p className="small muted" style={{ margin: 0 }}>
          Each thread raised in these days gets the policy that matches it today; its clocks are counted again from when
          it was raised. Every thread records the change.
        </p>
        {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
        {done !== null ? (
          <Alert kind="success">
            Looked at {formatNumber(done.threads)} thread{done.threads === 1 ? '' : 's'} raised in those days;{' '}
            {formatNumber(done.changed)} got another policy or version.
          </Alert>
        ) : null}
        <div className="row" style={{ alignItems: 'flex-start', gap: 16, flexWrap: 'wrap' }}>
          <Field id="reapply-from" label="Raised from" error={errors.from}>
            {(p) => (
              <input
                {...p}
                className="input"
                type="date"
                value={from}
                onChange={(e) => {
                  setFrom(e.target.value);
                  setConfirming(false);
                }}
              />
            )}
          </Field>
          <Field id="reapply-to" label="Raised until (including)" error={errors.to}>
            {(p) => (
              <input
                {...p}
                className="input"
                type="date"
                value={to}
                onChange={(e) => {
                  setTo(e.target.value);
                  setConfirming(false);
                }}
              />
            )}
          </Field>
        </div>
      </div>
      <div className="card-footer">
        {confirming ? (
          <>
            <span className="small" style={{ marginRight: 'auto', alignSelf: 'center' }} role="status">
              Re-apply the current policies to every thread raised from {from} to {to}?
            </span>
            <Button onClick={() => setConfirming(false)}>Cancel</Button>
            <Button variant="primary" busy={busy} onClick={() => void reapply()}>
              Yes, re-apply
            </Button>
          </>
        ) : (
          <Button type="submit">Re-apply current policies</Button>
        )}
      </div>
    </form>
  );
}
