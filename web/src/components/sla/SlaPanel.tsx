import { Link } from 'react-router-dom';
import { formatDateTime } from '../../lib/format';
import {
  formatBusinessSeconds,
  formatClockDuration,
  metricNames,
  nextChangeAt,
  slaClockLook,
  type SlaTargetView,
  type ThreadSla,
} from '../../lib/sla';
import { useNow } from '../../lib/sharedClock';
import { Icon } from '../Icon';
import { Button } from '../ui';
import { SlaChipAt } from './SlaChip';

/**
 * The drawer's service levels: the policy the thread got (name, version, calendar and its time
 * zone), each target with its state, deadline, business time used and left, whether it was warned
 * and when it was breached; for admins, "Re-apply current policy".
 */
export function SlaPanel({
  sla,
  onReapply,
  reapplying,
}: {
  sla: ThreadSla | null;
  /** Admins only: re-apply the policy that matches the thread today. */
  onReapply?: (() => void) | undefined;
  reapplying?: boolean;
}) {
  return (
    <section className="section" aria-label="Service levels" data-testid="sla-panel">
      <h3 className="section-title">
        <Icon name="clock" size={13} />
        Service levels
      </h3>
      {sla ? (
        <>
          <p className="small" data-testid="sla-policy">
            <Link to={`/admin/service-levels/policies/${sla.policy.policyId}`}>{sla.policy.name}</Link> (version{' '}
            {sla.policy.version}) on {sla.calendar.name} (version {sla.calendar.version}, {sla.calendar.timeZone})
            <span className="muted">
              {' '}
              · {sla.appliedReason === 'reapplied' ? 're-applied' : 'applied when raised'}{' '}
              {formatDateTime(sla.appliedAt)}
            </span>
          </p>
          <ul className="sla-target-list" data-testid="sla-targets">
            {sla.targets.map((target) => (
              <TargetRow key={`${target.metric}-${target.cycle}`} target={target} />
            ))}
          </ul>
          <p className="small muted" style={{ marginTop: 6 }}>
            Business time counts only the calendar&rsquo;s open hours; as of {formatDateTime(sla.asOf)}, counted on here
            since.
          </p>
        </>
      ) : (
        <p className="small muted" data-testid="sla-none">
          No service-level policy applies to this thread.
        </p>
      )}
      {onReapply ? (
        <div style={{ marginTop: 8 }}>
          <Button size="sm" icon="refresh" busy={reapplying} onClick={onReapply}>
            Re-apply current policy
          </Button>
        </div>
      ) : null}
    </section>
  );
}

function TargetRow({ target }: { target: SlaTargetView }) {
  const now = useNow(nextChangeAt(target, Date.now()));
  const look = slaClockLook(target, now);
  const name =
    target.metric === 'nextResponse' ? `${metricNames[target.metric]} #${target.cycle}` : metricNames[target.metric];
  const live = target.state === 'running' || target.state === 'breached';
  const facts = [
    target.dueAt ? `due ${formatDateTime(target.dueAt)}` : null,
    target.completedAt ? `done ${formatDateTime(target.completedAt)}` : null,
    `${formatBusinessSeconds(target.elapsedSeconds)} used`,
    live
      ? look.remainingSeconds >= 0
        ? `${formatBusinessSeconds(look.remainingSeconds)} left`
        : `${formatBusinessSeconds(look.remainingSeconds)} over`
      : null,
    target.warned ? 'warned' : null,
  ].filter((f): f is string => f !== null);
  return (
    <li className="sla-target" data-testid="sla-target" data-metric={target.metric} data-state={look.tone}>
      <div className="sla-target-head">
        <strong>{name}</strong>
        <span className="muted small">within {formatClockDuration(target.targetSeconds)}</span>
        <span className="spacer" />
        <SlaChipAt clock={target} now={now} />
      </div>
      <div className="small muted">
        {facts.join(' · ')}
        {target.breachedAt ? (
          <span style={{ color: 'var(--red)' }}> · breached {formatDateTime(target.breachedAt)}</span>
        ) : null}
      </div>
    </li>
  );
}
