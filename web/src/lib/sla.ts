import type {
  SlaCalendar,
  SlaCalendarInput,
  SlaConfig,
  SlaHeadline,
  SlaPolicy,
  SlaPolicyInput,
  SlaTarget,
  ThreadSla,
} from './types';

/**
 * Service levels as the web app sees them: business-hour calendars, policies, and the clocks a
 * thread runs against them (issue 19). The shapes are the desk's contract; the clock's wording
 * and colour are decided here, once, for the inbox row and the drawer alike.
 */

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];
export const weekdayNames: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

export type Calendar = SlaCalendar;
export type CalendarInput = SlaCalendarInput;
export type Interval = CalendarInput['week']['mon'][number];
export type Policy = SlaPolicy;
export type PolicyInput = SlaPolicyInput;
export type SlaPriority = keyof PolicyInput['targets'];
export type SlaMetric = SlaTarget['metric'];
export type SlaState = SlaTarget['state'];
export type SlaTargetView = SlaTarget;
export type { SlaTarget };
export type { SlaConfig, SlaHeadline, ThreadSla };

export const slaMetrics = ['firstResponse', 'nextResponse', 'resolution'] as const satisfies readonly SlaMetric[];

/**
 * A live push of a thread leaves its clock out (an `sla` frame carries it when the clocks change):
 * the pushed summary keeps the clock the screen already shows.
 */
export function keepSlaHeadline<T extends { sla?: SlaHeadline | null }>(
  pushed: T,
  shown: { sla?: SlaHeadline | null } | undefined,
): T {
  if ('sla' in pushed || !shown || !('sla' in shown)) return pushed;
  return { ...pushed, sla: shown.sla ?? null };
}

export const metricNames: Record<SlaMetric, string> = {
  firstResponse: 'First response',
  nextResponse: 'Next response',
  resolution: 'Resolution',
};

/** A warning or breach that has just happened, to tell the agent it concerns. */
export interface FreshSlaAlert {
  key: string;
  kind: 'warning' | 'breach';
  text: string;
}

/**
 * The warnings and breaches of a thread's targets that happened within `withinMs` of `nowMs`
 * (a breach by when it was recorded, a warning by when it fell due), each keyed by thread,
 * target and kind so that a caller tells of each once.
 */
export function freshSlaAlerts(
  threadId: string,
  subject: string,
  sla: ThreadSla | null,
  nowMs: number,
  withinMs = 120_000,
): FreshSlaAlert[] {
  const fresh: FreshSlaAlert[] = [];
  const recent = (iso: string | null) =>
    iso !== null && nowMs - Date.parse(iso) <= withinMs && Date.parse(iso) <= nowMs + 5_000;
  for (const t of sla?.targets ?? []) {
    const what = metricNames[t.metric];
    if (t.breachedAt && recent(t.breachedAt)) {
      fresh.push({
        key: `${threadId}:${t.metric}:${t.cycle}:breach`,
        kind: 'breach',
        text: `${what} overdue: ${subject}`,
      });
    } else if (t.warned && !t.breachedAt && t.state === 'running' && recent(t.warnAt)) {
      fresh.push({
        key: `${threadId}:${t.metric}:${t.cycle}:warning`,
        kind: 'warning',
        text: `${what} due soon: ${subject}`,
      });
    }
  }
  return fresh;
}

/* ------------------------------------------------------------------ the clock's words and colour */

/**
 * neutral: far from its deadline; warning: inside the policy's warn window or a quarter of the
 * target (or less) left; breached: past the deadline; paused: the thread waits for the partner; met / missed: done.
 */
export type SlaTone = 'neutral' | 'warning' | 'breached' | 'paused' | 'met' | 'missed';

export interface SlaClockLook {
  /** What the chip says: the meaning is in the words, never in the colour alone. */
  text: string;
  tone: SlaTone;
  /** Seconds left (business time, at most the wall time to the deadline); negative once breached. */
  remainingSeconds: number;
}

/** Below this much wall time to the deadline a clock counts down ("due in 1 h 20 m"); beyond it, it names the time. */
export const COUNTDOWN_HORIZON_SECONDS = 12 * 3600;
/** With this share of its target left (or less), a running clock turns amber. */
export const WARN_SHARE = 0.25;

/** 4980 → "1 h 23 m", 300 → "5 m", 190000 → "2 d 4 h"; under a minute → "under 1 m". */
export function formatClockDuration(seconds: number): string {
  const minutes = Math.floor(Math.max(0, seconds) / 60);
  if (minutes < 1) return 'under 1 m';
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} m` : `${h} h`;
  return `${m} m`;
}

const due: Record<SlaMetric, string> = {
  firstResponse: 'first reply due',
  nextResponse: 'next reply due',
  resolution: 'resolution due',
};
const subject: Record<SlaMetric, string> = {
  firstResponse: 'first reply',
  nextResponse: 'next reply',
  resolution: 'resolution',
};

/** "Tue 14:00" within the coming week, else "12 Dec 14:00". */
export function formatDueTime(dueMs: number, nowMs: number, locale?: string, timeZone?: string): string {
  const withinWeek = dueMs - nowMs < 6 * 86_400_000;
  const format = new Intl.DateTimeFormat(locale, {
    ...(withinWeek ? { weekday: 'short' } : { day: 'numeric', month: 'short' }),
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(timeZone ? { timeZone } : {}),
  });
  return format.format(new Date(dueMs)).replace(',', '');
}

/**
 * A clock as the chip shows it at `nowMs`: counted down from `dueAt` in the browser, so it turns
 * amber at `warnAt` (the policy's warn window) and red at the deadline without waiting for the desk. Business seconds left are at most what the
 * desk last said and at most the wall time to the deadline (business time never runs faster).
 */
export function slaClockLook(
  clock: SlaHeadline | SlaTargetView,
  nowMs: number,
  options: { locale?: string; timeZone?: string } = {},
): SlaClockLook {
  const dueMs = clock.dueAt ? Date.parse(clock.dueAt) : Number.NaN;
  const hasDue = !Number.isNaN(dueMs);
  const wallLeft = hasDue ? (dueMs - nowMs) / 1000 : Number.POSITIVE_INFINITY;
  const what = subject[clock.metric];

  switch (clock.state) {
    case 'met':
      return { text: `${what} met`, tone: 'met', remainingSeconds: clock.remainingSeconds };
    case 'missed':
      return { text: `${what} missed`, tone: 'missed', remainingSeconds: clock.remainingSeconds };
    case 'paused':
      return { text: `${what} paused`, tone: 'paused', remainingSeconds: clock.remainingSeconds };
    case 'running':
    case 'breached': {
      if (clock.state === 'breached' || wallLeft <= 0) {
        const over = hasDue ? Math.max(0, -wallLeft) : Math.max(0, -clock.remainingSeconds);
        const ago = over < 60 ? 'just now' : `${formatClockDuration(over)} ago`;
        return { text: `${what} breached ${ago}`, tone: 'breached', remainingSeconds: -over };
      }
      const left = Math.min(clock.remainingSeconds, wallLeft);
      const warnAt = clock.warnAt ? Date.parse(clock.warnAt) : Number.NaN;
      const warning =
        ('warned' in clock && clock.warned) ||
        (!Number.isNaN(warnAt) && nowMs >= warnAt) ||
        (clock.targetSeconds > 0 && left <= clock.targetSeconds * WARN_SHARE);
      const text =
        wallLeft <= COUNTDOWN_HORIZON_SECONDS
          ? `${due[clock.metric]} in ${formatClockDuration(left)}`
          : clock.metric === 'resolution'
            ? `resolve by ${formatDueTime(dueMs, nowMs, options.locale, options.timeZone)}`
            : `${due[clock.metric]} by ${formatDueTime(dueMs, nowMs, options.locale, options.timeZone)}`;
      return { text, tone: warning ? 'warning' : 'neutral', remainingSeconds: left };
    }
    default: {
      const unknown: never = clock.state;
      return { text: String(unknown), tone: 'neutral', remainingSeconds: 0 };
    }
  }
}

/** The next moment the chip's colour changes by itself (amber, then red), for the shared clock to wake at. */
export function nextChangeAt(clock: SlaHeadline | SlaTargetView, nowMs: number): number | null {
  if (clock.state !== 'running' || !clock.dueAt) return null;
  const dueMs = Date.parse(clock.dueAt);
  if (Number.isNaN(dueMs)) return null;
  const quarterLeft = dueMs - clock.targetSeconds * WARN_SHARE * 1000;
  const warnAt = clock.warnAt ? Date.parse(clock.warnAt) : Number.NaN;
  const moments = [quarterLeft, dueMs, ...(Number.isNaN(warnAt) ? [] : [warnAt])].filter((t) => t > nowMs);
  return moments.length ? Math.min(...moments) : null;
}

/* ------------------------------------------------------------------ minutes as people type them */

/** "1h 30m", "1 h 30", "90", "90m", "2h", "1:30" → minutes; "" → null; anything else → undefined. */
export function parseMinutes(text: string): number | null | undefined {
  const t = text.trim().toLowerCase();
  if (!t) return null;
  if (/^\d+$/.test(t)) return Number(t);
  const clock = /^(\d+):([0-5]\d)$/.exec(t);
  if (clock) return Number(clock[1]) * 60 + Number(clock[2]);
  const parts = /^(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m?)?$/.exec(t);
  if (!parts || (!parts[1] && !parts[2] && !parts[3])) return undefined;
  return Number(parts[1] ?? 0) * 1440 + Number(parts[2] ?? 0) * 60 + Number(parts[3] ?? 0);
}

/** 90 → "1h 30m", 45 → "45m", 120 → "2h", null → "". */
export function formatMinutes(minutes: number | null): string {
  if (minutes === null) return '';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m}m`;
  return m ? `${h}h ${m}m` : `${h}h`;
}

/** 4980 → "1 h 23 m" of business time; a whole number of seconds under a minute reads as such. */
export function formatBusinessSeconds(seconds: number): string {
  const abs = Math.abs(seconds);
  return abs < 60 ? `${Math.round(abs)} s` : formatClockDuration(abs);
}

export const emptyWeek = (): Record<Weekday, Interval[]> => ({
  mon: [],
  tue: [],
  wed: [],
  thu: [],
  fri: [],
  sat: [],
  sun: [],
});
