import { IANAZone } from 'luxon';
import { z } from 'zod';
import { priorities, queryTypeSchema, type Priority } from '../thread/vocabulary.js';

/*
 * Service levels: business-hour calendars and the policies that set targets on them. What an
 * admin types is parsed with the `...Input` schemas; events store the parsed shape as plain JSON.
 */

export const slaMetrics = ['firstResponse', 'nextResponse', 'resolution'] as const;
export type SlaMetric = (typeof slaMetrics)[number];
export const slaMetricSchema = z.enum(slaMetrics, { error: `must be one of ${slaMetrics.join(', ')}` });

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

export const SLA_NAME_MAX = 120;
export const INTERVALS_PER_DAY_MAX = 8;
export const HOLIDAYS_MAX = 500;
/** A target of at most a year of business time. */
export const TARGET_MINUTES_MAX = 525_600;
export const PARTNER_ORGS_PER_POLICY_MAX = 200;

export const slaServiceLevelsStreamName = 'serviceLevels-global';

const hhmm = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** "HH:MM" → minutes after midnight ("24:00" is 1440, the end of the day). */
export function minutesOfDay(text: string): number {
  const [h, m] = text.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

const nameSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(SLA_NAME_MAX, { error: `must be at most ${SLA_NAME_MAX} characters` });

const timeOfDay = z
  .string({ error: 'must be a time HH:MM' })
  .regex(hhmm, { error: 'must be a time HH:MM (00:00 to 24:00)' });

export const intervalSchema = z
  .object({ start: timeOfDay, end: timeOfDay })
  .refine((i) => i.start !== '24:00', { error: 'cannot start at 24:00', path: ['start'] })
  .refine((i) => minutesOfDay(i.end) > minutesOfDay(i.start), { error: 'must end after it starts', path: ['end'] });
export type Interval = z.output<typeof intervalSchema>;

const dayIntervals = z
  .array(intervalSchema, { error: 'must be a list of intervals' })
  .max(INTERVALS_PER_DAY_MAX, { error: `at most ${INTERVALS_PER_DAY_MAX} intervals a day` })
  .transform((list) => [...list].sort((a, b) => minutesOfDay(a.start) - minutesOfDay(b.start)))
  .refine((list) => list.every((iv, i) => i === 0 || minutesOfDay(iv.start) >= minutesOfDay(list[i - 1]!.end)), {
    error: 'intervals of a day must not overlap',
  });

export const weekSchema = z.object(
  Object.fromEntries(weekdays.map((d) => [d, dayIntervals])) as Record<Weekday, typeof dayIntervals>,
  { error: 'must give the intervals of each weekday (mon … sun)' },
);
export type Week = z.output<typeof weekSchema>;

const isoDate = z
  .string({ error: 'must be a date YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date YYYY-MM-DD' })
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    {
      error: 'must be a real date',
    },
  );

export const holidaySchema = z.object({ date: isoDate, name: nameSchema });
export type Holiday = z.output<typeof holidaySchema>;

export const timeZoneSchema = z
  .string({ error: 'must be an IANA time zone such as Europe/London' })
  .trim()
  .refine((zone) => IANAZone.isValidZone(zone), { error: 'must be an IANA time zone such as Europe/London' });

export const calendarInput = z
  .object({
    name: nameSchema,
    timeZone: timeZoneSchema,
    /** 24/7: every second counts; the week and the holidays are kept but not used. */
    alwaysOpen: z.boolean({ error: 'must be true or false' }),
    week: weekSchema,
    holidays: z
      .array(holidaySchema, { error: 'must be a list of { date, name }' })
      .max(HOLIDAYS_MAX, { error: `at most ${HOLIDAYS_MAX} holidays` })
      .refine((list) => new Set(list.map((h) => h.date)).size === list.length, { error: 'must not name a date twice' })
      .transform((list) => [...list].sort((a, b) => a.date.localeCompare(b.date))),
  })
  .refine((c) => c.alwaysOpen || weekdays.some((d) => c.week[d].length > 0), {
    error: 'needs at least one open interval in the week (or be 24/7)',
    path: ['week'],
  });
export type CalendarInput = z.output<typeof calendarInput>;

/** What a calendar's clock needs: the zone, the week, the holidays. */
export type BusinessCalendar = Pick<CalendarInput, 'timeZone' | 'alwaysOpen' | 'week' | 'holidays'>;

const minutes = z
  .number({ error: 'must be a number of minutes or null' })
  .int({ error: 'must be whole minutes' })
  .min(1, { error: 'must be at least 1 minute' })
  .max(TARGET_MINUTES_MAX, { error: `must be at most ${TARGET_MINUTES_MAX} minutes (a year)` })
  .nullable();

export const targetsSchema = z.object({
  firstResponseMinutes: minutes,
  nextResponseMinutes: minutes,
  resolutionMinutes: minutes,
});
export type Targets = z.output<typeof targetsSchema>;

export const targetMinutesKey: Record<SlaMetric, keyof Targets> = {
  firstResponse: 'firstResponseMinutes',
  nextResponse: 'nextResponseMinutes',
  resolution: 'resolutionMinutes',
};

export const targetsByPrioritySchema = z.object(
  Object.fromEntries(priorities.map((p) => [p, targetsSchema])) as Record<Priority, typeof targetsSchema>,
  { error: `must give the targets of each priority (${priorities.join(', ')})` },
);
export type TargetsByPriority = z.output<typeof targetsByPrioritySchema>;

export const policyInput = z.object({
  name: nameSchema,
  calendarId: z.uuid({ error: 'must be a calendar id (UUID)' }),
  /** Lower is tried first; the first policy that matches a thread is its policy. */
  position: z
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(0, { error: 'must be 0 or more' })
    .max(10_000, { error: 'must be at most 10000' }),
  match: z.object({
    /** Empty: any query type. */
    queryTypes: z
      .array(queryTypeSchema)
      .max(20)
      .transform((l) => [...new Set(l)].sort()),
    /** Empty: any partner organisation. */
    partnerOrgIds: z
      .array(z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' }).max(200))
      .max(PARTNER_ORGS_PER_POLICY_MAX, { error: `at most ${PARTNER_ORGS_PER_POLICY_MAX} organisations` })
      .transform((l) => [...new Set(l)].sort()),
  }),
  targets: targetsByPrioritySchema,
  /** A warning goes this long (business time) before a target is due; at most half the target. */
  warnBeforeMinutes: z
    .number({ error: 'must be whole minutes' })
    .int({ error: 'must be whole minutes' })
    .min(0, { error: 'must be 0 or more' })
    .max(10_080, { error: 'must be at most a week (10080)' }),
});
export type PolicyInput = z.output<typeof policyInput>;

export const reapplyPeriodInput = z
  .object({
    raisedFrom: z.iso.datetime({ error: 'must be an ISO-8601 UTC timestamp' }),
    raisedTo: z.iso.datetime({ error: 'must be an ISO-8601 UTC timestamp' }),
  })
  .refine((p) => Date.parse(p.raisedTo) > Date.parse(p.raisedFrom), {
    error: 'must end after it starts',
    path: ['raisedTo'],
  });
