import { Link } from 'react-router-dom';
import { formatDateTime, label } from '../../lib/format';
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
            <Link to="/admin/service-levels">{sla.policy.name}</Link> (version {sla.policy.version}) on{' '}
            {sla.calendar.name} (version {sla.calendar.version}, {sla.calendar.timeZone})
            <span className="muted">
              {' '}
              · {sla.appliedReason === 'reapplied' ? 're-applied' : 'applied when raised'}{' '}
              {formatDateTime(sla.appliedAt)}
            </span>
          </p>
          <div style={{ overflowX: 'auto' }}>
            <table className="sla-targets" data-testid="sla-targets">
              <thead>
                <tr>
                  <th scope="col">Target</th>
                  <th scope="col">State</th>
                  <th scope="col">Due</th>
                  <th scope="col">Business time</th>
                </tr>
              </thead>
              <tbody>
                {sla.targets.map((target) => (
                  <TargetRow key={`${target.metric}-${target.cycle}`} target={target} />
                ))}
              </tbody>
            </table>
          </div>
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
  return (
    <tr data-testid="sla-target" data-metric={target.metric} data-state={look.tone}>
      <th scope="row">
        {name}
        <span className="muted small" style={{ display: 'block', fontWeight: 400 }}>
          within {formatClockDuration(target.targetSeconds)}
        </span>
      </th>
      <td>
        <SlaChipAt clock={target} now={now} />
        {target.warned && look.tone !== 'breached' && target.state !== 'missed' ? (
          <span className="small muted" style={{ display: 'block' }}>
            Warned
          </span>
        ) : null}
      </td>
      <td>
        {target.dueAt
          ? formatDateTime(target.dueAt)
          : target.completedAt
            ? `done ${formatDateTime(target.completedAt)}`
            : '—'}
        {target.breachedAt ? (
          <span className="small" style={{ display: 'block', color: 'var(--red)' }}>
            breached {formatDateTime(target.breachedAt)}
          </span>
        ) : null}
      </td>
      <td>
        {formatBusinessSeconds(target.elapsedSeconds)} used
        <span className="small muted" style={{ display: 'block' }}>
          {live
            ? look.remainingSeconds >= 0
              ? `${formatBusinessSeconds(look.remainingSeconds)} left`
              : `${formatBusinessSeconds(look.remainingSeconds)} over`
            : label(target.state)}
        </span>
      </td>
    </tr>
  );
}
