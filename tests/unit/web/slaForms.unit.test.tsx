import { describe, expect, it } from 'vitest';
import { validateCalendar } from '../../../web/src/pages/SlaCalendarPage';
import { policyInput } from '../../../web/src/pages/SlaPolicyPage';
import { emptyWeek, type CalendarInput } from '../../../web/src/lib/sla';

/** The editing pages say what is sure to be refused before sending, keyed as the desk's `errors[].path`. */
describe('a calendar before it is sent', () => {
  const zones = ['UTC', 'Europe/Amsterdam'];
  const office = (): CalendarInput => ({
    name: 'Amsterdam office',
    timeZone: 'Europe/Amsterdam',
    alwaysOpen: false,
    week: {
      ...emptyWeek(),
      mon: [
        { start: '09:00', end: '12:30' },
        { start: '13:30', end: '17:30' },
      ],
      tue: [{ start: '09:00', end: '24:00' }],
    },
    holidays: [{ date: '2026-12-25', name: 'Christmas Day' }],
  });

  it('when it is whole, then nothing is said (a lunch break is two intervals, 24:00 is midnight)', () => {
    expect(validateCalendar(office(), zones)).toEqual({});
  });

  it('when a name, a known time zone or an interval’s order is wrong, then each field says so', () => {
    const bad = office();
    bad.name = '  ';
    bad.timeZone = 'Europe/Atlantis';
    bad.week.mon[1] = { start: '13:30', end: '12:00' };
    bad.week.tue[0] = { start: '9', end: '25:00' };
    bad.holidays[0] = { date: '', name: '' };
    expect(validateCalendar(bad, zones)).toEqual({
      name: 'Give the calendar a name.',
      timeZone: 'Pick a time zone from the list, like Europe/Berlin.',
      'week.mon.1.end': 'Must be after the start.',
      'week.tue.0.start': 'Use HH:MM, like 09:00.',
      'week.tue.0.end': 'Use HH:MM, like 17:30 (24:00 for midnight).',
      'holidays.0.date': 'Pick a date.',
      'holidays.0.name': 'Name the holiday.',
    });
  });

  it('when it is 24/7, then the week and the holidays are not looked at', () => {
    expect(
      validateCalendar({ ...office(), alwaysOpen: true, week: emptyWeek(), holidays: [{ date: '', name: '' }] }, zones),
    ).toEqual({});
    expect(validateCalendar({ ...office(), week: emptyWeek() }, zones).week).toMatch(/at least one day/);
  });
});

describe('a policy before it is sent', () => {
  const row = { firstResponseMinutes: '1h', nextResponseMinutes: '1h 30m', resolutionMinutes: '' };
  const form = {
    name: ' Payments ',
    calendarId: 'cal-1',
    position: '10',
    queryTypes: ['PAYMENT' as const],
    partnerOrgIds: 'acme, globex ',
    targets: { LOW: row, MEDIUM: row, HIGH: { ...row, firstResponseMinutes: '1' }, URGENT: row },
    warnBefore: '15',
  };

  it('when it is whole, then minutes typed as hours become minutes, empty is no target, organisations a list', () => {
    const result = policyInput(form);
    expect('input' in result && result.input).toEqual({
      name: 'Payments',
      calendarId: 'cal-1',
      position: 10,
      match: { queryTypes: ['PAYMENT'], partnerOrgIds: ['acme', 'globex'] },
      targets: {
        LOW: { firstResponseMinutes: 60, nextResponseMinutes: 90, resolutionMinutes: null },
        MEDIUM: { firstResponseMinutes: 60, nextResponseMinutes: 90, resolutionMinutes: null },
        HIGH: { firstResponseMinutes: 1, nextResponseMinutes: 90, resolutionMinutes: null },
        URGENT: { firstResponseMinutes: 60, nextResponseMinutes: 90, resolutionMinutes: null },
      },
      warnBeforeMinutes: 15,
    });
  });

  it('when a target or the position cannot be read, then that cell says so, under the desk’s path', () => {
    const result = policyInput({
      ...form,
      position: '-1',
      calendarId: '',
      targets: {
        ...form.targets,
        HIGH: { ...row, resolutionMinutes: 'soon' },
        LOW: { ...row, firstResponseMinutes: '0' },
      },
    });
    expect('errors' in result && result.errors).toEqual({
      calendarId: 'Pick the calendar its targets count on.',
      position: 'A whole number, 0 or more (lower is tried first).',
      'targets.HIGH.resolutionMinutes': 'Use minutes or hours, like 90, 1h 30m or 2h.',
      'targets.LOW.firstResponseMinutes': 'At least 1 minute (leave it empty for no target).',
    });
  });
});
