import { DateTime } from 'luxon';
import { minutesOfDay, weekdays, type BusinessCalendar } from './vocabulary.js';

/*
 * Business time: the seconds a calendar is open between two instants, and the instant at which a
 * number of open seconds has passed. Days are walked in the calendar's own zone, so a day of 23 or
 * 25 hours (daylight saving) and a holiday are what they are locally. Instants are epoch ms.
 */

/** No target may reach further than this: a calendar that opens only on holidays never comes due. */
const MAX_DAYS = 3 * 366;

interface Prepared {
  holidays: ReadonlySet<string>;
  /** Per luxon weekday (1 = Monday … 7 = Sunday): [start, end) minutes after midnight. */
  week: readonly (readonly [number, number][])[];
}

const preparedCalendars = new WeakMap<BusinessCalendar, Prepared>();

function prepare(calendar: BusinessCalendar): Prepared {
  let prepared = preparedCalendars.get(calendar);
  if (!prepared) {
    const week = [
      [],
      ...weekdays.map((d) =>
        calendar.week[d].map((i) => [minutesOfDay(i.start), minutesOfDay(i.end)] as [number, number]),
      ),
    ];
    prepared = { holidays: new Set(calendar.holidays.map((h) => h.date)), week };
    preparedCalendars.set(calendar, prepared);
  }
  return prepared;
}

/** The instant of `minutes` after local midnight of `day` (24:00 is the next day's midnight). */
function at(day: DateTime, minutes: number): number {
  if (minutes >= 1440) return day.plus({ days: 1 }).startOf('day').toMillis();
  // a local time that does not exist (the hour skipped in spring) moves forward, as clocks do
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 }).toMillis();
}

/** The open spans of each local day from the one holding `fromMs`, in order, until `untilMs` (or MAX_DAYS). */
function* openSpans(calendar: BusinessCalendar, fromMs: number, untilMs = Infinity): Generator<[number, number]> {
  const { holidays, week } = prepare(calendar);
  let day = DateTime.fromMillis(fromMs, { zone: calendar.timeZone }).startOf('day');
  for (let i = 0; i < MAX_DAYS; i++) {
    if (day.toMillis() >= untilMs) return;
    if (!holidays.has(day.toISODate()!)) {
      for (const [start, end] of week[day.weekday]!) {
        const spanStart = at(day, start);
        const spanEnd = at(day, end);
        if (spanEnd > fromMs && spanEnd > spanStart) yield [Math.max(spanStart, fromMs), spanEnd];
      }
    }
    day = day.plus({ days: 1 }).startOf('day');
  }
}

/** Open seconds of `calendar` in [fromMs, toMs). */
export function businessSecondsBetween(calendar: BusinessCalendar, fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  if (calendar.alwaysOpen) return (toMs - fromMs) / 1000;
  let ms = 0;
  for (const [start, end] of openSpans(calendar, fromMs, toMs)) {
    if (start >= toMs) break;
    ms += Math.min(end, toMs) - start;
  }
  return ms / 1000;
}

/**
 * The instant at which `seconds` open seconds have passed since `fromMs`: `fromMs` itself for 0
 * or less, the end of the last open second otherwise. Null when it lies past `untilMs`, or further
 * than the calendar can reach (three years).
 */
export function addBusinessSeconds(
  calendar: BusinessCalendar,
  fromMs: number,
  seconds: number,
  untilMs = Infinity,
): number | null {
  if (seconds <= 0) return fromMs;
  if (calendar.alwaysOpen) {
    const due = fromMs + seconds * 1000;
    return due <= untilMs ? due : null;
  }
  let left = seconds * 1000;
  for (const [start, end] of openSpans(calendar, fromMs, untilMs)) {
    if (start >= untilMs) return null;
    const span = Math.min(end, untilMs) - start;
    if (left <= span) return start + left;
    left -= span;
  }
  return null;
}
