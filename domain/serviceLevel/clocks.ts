import type { ThreadEvent } from '../thread/events.js';
import type { Priority, ThreadStatus } from '../thread/vocabulary.js';
import { addBusinessSeconds, businessSecondsBetween } from './businessTime.js';
import type { SlaSnapshot } from './events.js';
import { targetMinutesKey, type SlaMetric } from './vocabulary.js';

/*
 * A thread's service-level clocks, as a pure fold of its events: the same events and the same
 * policy give the same deadlines on every replay, in the decider, in read models and in an audit.
 *
 * - first response: from the query to the first external staff reply (internal notes never count);
 * - next response: from a partner's or guest's message while support has the turn (OPEN, after the
 *   first response) to the next external staff reply; each such wait is a new cycle;
 * - resolution: from the query to RESOLVED (or CLOSED); reopening resumes it.
 * PENDING (waiting on the partner) pauses every running clock; OPEN resumes them. Resolving or
 * closing stops the reply clocks too. Only the calendar's open hours count.
 *
 * The fold records wall-clock spans only; business time is computed when a clock is evaluated,
 * with the calendar of the policy in force, so a re-applied policy recomputes the whole history.
 */

export interface SlaClock {
  metric: SlaMetric;
  /** 0 for first response and resolution; 1, 2, … for each wait for a next response. */
  cycle: number;
  startedAt: string;
  /** Closed spans it ran, [from, to) ISO instants. */
  spans: [string, string][];
  /** Set while it runs; null while paused or done. */
  runningSince: string | null;
  completedAt: string | null;
  warnedAt: string | null;
  breachedAt: string | null;
}

export interface SlaClocks {
  status: ThreadStatus | 'EMPTY';
  priority: Priority;
  /** The policy in force (null: none applies) and when and why it was applied. */
  snapshot: SlaSnapshot | null;
  appliedAt: string | null;
  appliedReason: 'raised' | 'reapplied' | null;
  clocks: SlaClock[];
  /** Next-response cycles started so far. */
  nextResponseCycles: number;
}

export const initialSlaClocks: SlaClocks = Object.freeze({
  status: 'EMPTY',
  priority: 'MEDIUM',
  snapshot: null,
  appliedAt: null,
  appliedReason: null,
  clocks: [],
  nextResponseCycles: 0,
}) as SlaClocks;

const startClock = (metric: SlaMetric, cycle: number, at: string): SlaClock => ({
  metric,
  cycle,
  startedAt: at,
  spans: [],
  runningSince: at,
  completedAt: null,
  warnedAt: null,
  breachedAt: null,
});

function pause(clock: SlaClock, at: string): SlaClock {
  if (clock.runningSince === null) return clock;
  return { ...clock, spans: [...clock.spans, [clock.runningSince, at]], runningSince: null };
}

function complete(clock: SlaClock, at: string): SlaClock {
  if (clock.completedAt !== null) return clock;
  return { ...pause(clock, at), completedAt: at };
}

function update(state: SlaClocks, which: (c: SlaClock) => boolean, change: (c: SlaClock) => SlaClock): SlaClocks {
  let changed = false;
  const clocks = state.clocks.map((c) => {
    if (!which(c)) return c;
    const next = change(c);
    if (next !== c) changed = true;
    return next;
  });
  return changed ? { ...state, clocks } : state;
}

const isReply = (c: SlaClock) => c.metric === 'firstResponse' || c.metric === 'nextResponse';

/** The clocks' part of a status change. */
function moveTo(state: SlaClocks, to: ThreadStatus, at: string): SlaClocks {
  const from = state.status;
  if (from === to) return state;
  let next: SlaClocks = { ...state, status: to };
  switch (to) {
    case 'PENDING':
      next = update(
        next,
        (c) => c.completedAt === null,
        (c) => pause(c, at),
      );
      break;
    case 'OPEN':
      // from PENDING: what was paused runs again; from RESOLVED or CLOSED: the resolution clock resumes
      next = update(
        next,
        (c) => (c.completedAt === null && c.runningSince === null) || (c.metric === 'resolution' && from !== 'PENDING'),
        (c) => ({ ...c, completedAt: null, runningSince: at }),
      );
      break;
    case 'RESOLVED':
    case 'CLOSED':
      next = update(
        next,
        (c) => c.completedAt === null,
        (c) => complete(c, at),
      );
      break;
  }
  return next;
}

export function evolveSlaClocks(state: SlaClocks, event: ThreadEvent): SlaClocks {
  switch (event.type) {
    case 'QueryRaised': {
      if (state.status !== 'EMPTY') return state;
      const at = event.data.occurredAt;
      return {
        ...state,
        status: 'OPEN',
        priority: event.data.priority,
        clocks: [startClock('firstResponse', 0, at), startClock('resolution', 0, at)],
      };
    }
    case 'SlaPolicyApplied':
      return {
        ...state,
        snapshot: event.data.snapshot,
        appliedAt: event.data.occurredAt,
        appliedReason: event.data.reason,
      };
    case 'MessagePosted': {
      const d = event.data;
      let next = state;
      const external = d.visibility === 'external';
      if (external && d.by.kind === 'staff') {
        next = update(
          next,
          (c) => isReply(c) && c.completedAt === null,
          (c) => complete(c, d.occurredAt),
        );
      }
      next = moveTo(next, d.statusAfter, d.occurredAt);
      const customer = d.by.kind === 'partner' || d.by.kind === 'guest';
      if (external && customer && d.statusAfter === 'OPEN') {
        const firstAnswered = next.clocks.some((c) => c.metric === 'firstResponse' && c.completedAt !== null);
        const waiting = next.clocks.some((c) => isReply(c) && c.completedAt === null);
        if (firstAnswered && !waiting) {
          const cycle = next.nextResponseCycles + 1;
          next = {
            ...next,
            nextResponseCycles: cycle,
            clocks: [...next.clocks, startClock('nextResponse', cycle, d.occurredAt)],
          };
        }
      }
      return next;
    }
    case 'PriorityChanged':
      return { ...state, priority: event.data.to };
    case 'ThreadResolved':
      return moveTo(state, 'RESOLVED', event.data.occurredAt);
    case 'ThreadClosed':
      return moveTo(state, 'CLOSED', event.data.occurredAt);
    case 'ThreadReopened':
      return moveTo(state, 'OPEN', event.data.occurredAt);
    case 'SlaWarning':
    case 'SlaBreached': {
      const { metric, cycle, occurredAt } = event.data;
      const key = event.type === 'SlaWarning' ? 'warnedAt' : 'breachedAt';
      return update(
        state,
        (c) => c.metric === metric && c.cycle === cycle && c[key] === null,
        (c) => ({ ...c, [key]: occurredAt }),
      );
    }
    default:
      return state;
  }
}

/** Running: counting; paused: the thread waits on the partner; breached: running past due; met / missed: done in time / late. */
export type SlaState = 'running' | 'paused' | 'breached' | 'met' | 'missed';

export interface SlaTargetView {
  metric: SlaMetric;
  cycle: number;
  targetSeconds: number;
  state: SlaState;
  /** While it runs (breached included), or paused past its target: when it is (or was) due. */
  dueAt: string | null;
  /** When the warning is (or was) due, while it runs. */
  warnAt: string | null;
  /** Business seconds left at `now` (negative once past due). */
  remainingSeconds: number;
  elapsedSeconds: number;
  startedAt: string;
  completedAt: string | null;
  warned: boolean;
  breachedAt: string | null;
}

const ms = (iso: string) => Date.parse(iso);
const iso = (epochMs: number) => new Date(epochMs).toISOString();

/** The instant a clock's business time reaches `seconds`, walking its spans, then its running span. */
function instantReaching(snapshot: SlaSnapshot, clock: SlaClock, seconds: number): number | null {
  let left = seconds;
  for (const [from, to] of clock.spans) {
    const spent = businessSecondsBetween(snapshot.calendar, ms(from), ms(to));
    if (spent >= left) return addBusinessSeconds(snapshot.calendar, ms(from), left, ms(to));
    left -= spent;
  }
  if (clock.runningSince === null) return null;
  return addBusinessSeconds(snapshot.calendar, ms(clock.runningSince), left);
}

/** The target of `metric` at the thread's priority now, in seconds; null when the policy sets none. */
export function targetSecondsOf(snapshot: SlaSnapshot, priority: Priority, metric: SlaMetric): number | null {
  const minutes = snapshot.policy.targets[priority][targetMinutesKey[metric]];
  return minutes === null ? null : minutes * 60;
}

/** The warning comes this long before the deadline: the policy's warn-before, at most half the target. */
export function warnBeforeSeconds(snapshot: SlaSnapshot, targetSeconds: number): number {
  return Math.min(snapshot.policy.warnBeforeMinutes * 60, Math.floor(targetSeconds / 2));
}

/** Every clock that has a target under the policy in force, as it stands at `now`. */
export function evaluateSlaClocks(state: SlaClocks, now: Date): SlaTargetView[] {
  const snapshot = state.snapshot;
  if (!snapshot) return [];
  const nowMs = now.getTime();
  const views: SlaTargetView[] = [];
  for (const clock of state.clocks) {
    const targetSeconds = targetSecondsOf(snapshot, state.priority, clock.metric);
    if (targetSeconds === null) continue;
    const end = clock.completedAt !== null ? ms(clock.completedAt) : nowMs;
    let elapsed = 0;
    for (const [from, to] of clock.spans) elapsed += businessSecondsBetween(snapshot.calendar, ms(from), ms(to));
    if (clock.runningSince !== null) elapsed += businessSecondsBetween(snapshot.calendar, ms(clock.runningSince), end);
    const running = clock.completedAt === null && clock.runningSince !== null;
    // a paused clock has a due time only when it passed its target before the pause
    const due = clock.completedAt === null ? instantReaching(snapshot, clock, targetSeconds) : null;
    const warn = running
      ? instantReaching(snapshot, clock, targetSeconds - warnBeforeSeconds(snapshot, targetSeconds))
      : null;
    let state_: SlaState;
    if (clock.completedAt !== null) state_ = elapsed <= targetSeconds ? 'met' : 'missed';
    else if (!running) state_ = elapsed >= targetSeconds ? 'breached' : 'paused';
    else state_ = due !== null && due <= nowMs ? 'breached' : 'running';
    views.push({
      metric: clock.metric,
      cycle: clock.cycle,
      targetSeconds,
      state: state_,
      dueAt: due === null ? null : iso(due),
      warnAt: warn === null ? null : iso(warn),
      remainingSeconds: Math.round(targetSeconds - elapsed),
      elapsedSeconds: Math.round(elapsed),
      startedAt: clock.startedAt,
      completedAt: clock.completedAt,
      warned: clock.warnedAt !== null,
      breachedAt: clock.breachedAt,
    });
  }
  return views;
}

export interface SlaHeadline {
  metric: SlaMetric;
  cycle: number;
  state: SlaState;
  dueAt: string | null;
  warnAt: string | null;
  remainingSeconds: number;
  targetSeconds: number;
}

/** The one clock an inbox row shows: the running one due first, else a paused one; null when all are done. */
export function slaHeadline(targets: readonly SlaTargetView[]): SlaHeadline | null {
  const live = targets.filter((t) => t.state === 'running' || t.state === 'breached');
  const pick =
    live.sort((a, b) => ms(a.dueAt!) - ms(b.dueAt!))[0] ??
    targets.filter((t) => t.state === 'paused').sort((a, b) => a.remainingSeconds - b.remainingSeconds)[0];
  if (!pick) return null;
  const { metric, cycle, state, dueAt, warnAt, remainingSeconds, targetSeconds } = pick;
  return { metric, cycle, state, dueAt, warnAt, remainingSeconds, targetSeconds };
}

export type SlaAlertKind = 'warning' | 'breach';

export interface SlaAlertDue {
  kind: SlaAlertKind;
  metric: SlaMetric;
  cycle: number;
  /** When it falls due. */
  at: string;
  dueAt: string;
}

/**
 * The next warning or breach to record, whenever it falls due (it may be in the past): the
 * earliest among running clocks. A warning whose deadline has also passed gives way to the breach.
 * What the scheduler waits for; the decider asks it again, with its own clock, before recording.
 */
export function nextSlaAlert(state: SlaClocks, now: Date): SlaAlertDue | null {
  let next: SlaAlertDue | null = null;
  for (const t of evaluateSlaClocks(state, now)) {
    if (t.dueAt === null || t.breachedAt !== null || t.completedAt !== null) continue;
    const dueMs = ms(t.dueAt);
    const candidate: SlaAlertDue =
      !t.warned && t.warnAt !== null && ms(t.warnAt) < dueMs && dueMs > now.getTime()
        ? { kind: 'warning', metric: t.metric, cycle: t.cycle, at: t.warnAt, dueAt: t.dueAt }
        : { kind: 'breach', metric: t.metric, cycle: t.cycle, at: t.dueAt, dueAt: t.dueAt };
    if (next === null || ms(candidate.at) < ms(next.at)) next = candidate;
  }
  return next;
}

/**
 * The warnings and breaches due at `now` and not yet recorded: a breach for each clock past its
 * target (running, or paused after passing it), a warning for each running clock inside its
 * warning window but not yet due. What the decider records; nothing for a clock that is done.
 */
export function dueSlaAlerts(state: SlaClocks, now: Date): SlaAlertDue[] {
  const nowMs = now.getTime();
  const due: SlaAlertDue[] = [];
  for (const t of evaluateSlaClocks(state, now)) {
    if (t.completedAt !== null || t.dueAt === null || t.breachedAt !== null) continue;
    if (ms(t.dueAt) <= nowMs)
      due.push({ kind: 'breach', metric: t.metric, cycle: t.cycle, at: t.dueAt, dueAt: t.dueAt });
    else if (t.state === 'running' && !t.warned && t.warnAt !== null && ms(t.warnAt) <= nowMs)
      due.push({ kind: 'warning', metric: t.metric, cycle: t.cycle, at: t.warnAt, dueAt: t.dueAt });
  }
  return due;
}
