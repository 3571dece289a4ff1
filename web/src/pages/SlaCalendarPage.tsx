import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { Icon } from '../components/Icon';
import { SlaEditorFrame } from '../components/sla/SlaEditorFrame';
import { useToast } from '../components/Toasts';
import { Alert, Button, Field } from '../components/ui';
import { api, errorText } from '../lib/api';

import { isAdmin, useIdentity } from '../lib/session';
import { weekdayNames, weekdays, type Calendar, type CalendarInput, type Interval, type Weekday } from '../lib/sla';
import { newId, saveErrors, timeZones, useChangedBy, useSlaConfig } from '../lib/slaConfig';

type Errors = Record<string, string>;

const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function blankCalendar(): CalendarInput {
  const office = (): Interval[] => [{ start: '09:00', end: '17:00' }];
  return {
    name: '',
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    alwaysOpen: false,
    week: { mon: office(), tue: office(), wed: office(), thu: office(), fri: office(), sat: [], sun: [] },
    holidays: [],
  };
}

function inputOf(c: Calendar): CalendarInput {
  return { name: c.name, timeZone: c.timeZone, alwaysOpen: c.alwaysOpen, week: c.week, holidays: c.holidays };
}

/** What is sure to be refused before sending (the desk checks it all again). */
export function validateCalendar(form: CalendarInput, zones: readonly string[]): Errors {
  const errors: Errors = {};
  if (!form.name.trim()) errors.name = 'Give the calendar a name.';
  if (!zones.includes(form.timeZone)) errors.timeZone = 'Pick a time zone from the list, like Europe/Berlin.';
  if (!form.alwaysOpen) {
    let open = 0;
    for (const day of weekdays) {
      form.week[day].forEach((interval, i) => {
        open++;
        if (!TIME.test(interval.start)) errors[`week.${day}.${i}.start`] = 'Use HH:MM, like 09:00.';
        if (!TIME.test(interval.end)) errors[`week.${day}.${i}.end`] = 'Use HH:MM, like 17:30 (24:00 for midnight).';
        else if (TIME.test(interval.start) && interval.end <= interval.start)
          errors[`week.${day}.${i}.end`] = 'Must be after the start.';
      });
    }
    if (open === 0) errors.week = 'Add opening hours to at least one day, or make the calendar 24/7.';
    form.holidays.forEach((h, i) => {
      if (!DATE.test(h.date)) errors[`holidays.${i}.date`] = 'Pick a date.';
      if (!h.name.trim()) errors[`holidays.${i}.name`] = 'Name the holiday.';
    });
  }
  return errors;
}

/**
 * /admin/service-levels/calendars/:calendarId (`new` for a new one): a business-hour calendar's
 * name, time zone, 24/7 switch, opening hours per weekday (any number of intervals: a lunch break
 * is two) and holidays. Admins save and delete; agents read.
 */
export function SlaCalendarPage() {
  const { calendarId: param = 'new' } = useParams();
  const identity = useIdentity();
  const admin = isAdmin(identity);
  const navigate = useNavigate();
  const toast = useToast();
  const config = useSlaConfig();
  const changedBy = useChangedBy(identity);
  const [createdId] = useState(newId);
  const isNew = param === 'new';
  const calendarId = isNew ? createdId : param;
  const saved = config.data?.calendars.find((c) => c.calendarId === calendarId);
  const [form, setForm] = useState<CalendarInput | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState<'save' | 'delete' | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [zones] = useState(timeZones);

  useEffect(() => {
    if (form || !config.data) return;
    if (isNew) setForm(blankCalendar());
    else if (saved) setForm(inputOf(saved));
  }, [config.data, form, isNew, saved]);

  function change(update: (f: CalendarInput) => CalendarInput, ...paths: string[]) {
    setForm((f) => (f ? update(f) : f));
    setErrors((e) => {
      const next = { ...e };
      for (const p of [...paths, 'form']) delete next[p];
      return next;
    });
  }
  const setDay = (day: Weekday, intervals: Interval[]) =>
    change((f) => ({ ...f, week: { ...f.week, [day]: intervals } }), 'week', `week.${day}`);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!form || !admin) return;
    const found = validateCalendar(form, zones);
    setErrors(found);
    const first = Object.keys(found)[0];
    if (first) {
      document.getElementById(`cal-${first.replace(/\./g, '-')}`)?.focus();
      return;
    }
    setBusy('save');
    try {
      const body: CalendarInput = { ...form, name: form.name.trim() };
      const answer = await api.put<{ calendar: Calendar }>(
        `/api/support/sla/calendars/${encodeURIComponent(calendarId)}`,
        body,
      );
      config.setData((current) =>
        current
          ? {
              ...current,
              calendars: [...current.calendars.filter((c) => c.calendarId !== calendarId), answer.calendar],
            }
          : current,
      );
      setForm(inputOf(answer.calendar));
      toast('Calendar saved');
      if (isNew) navigate(`/admin/service-levels/calendars/${calendarId}`, { replace: true });
    } catch (error) {
      setErrors(saveErrors(error, (path) => path === 'name' || path === 'timeZone' || /^(week|holidays)\b/.test(path)));
    } finally {
      setBusy(null);
    }
  }

  async function remove() {
    setBusy('delete');
    try {
      await api.del(`/api/support/sla/calendars/${encodeURIComponent(calendarId)}`);
      config.setData((current) =>
        current ? { ...current, calendars: current.calendars.filter((c) => c.calendarId !== calendarId) } : current,
      );
      toast('Calendar deleted');
      navigate('/admin/service-levels');
    } catch (error) {
      setErrors({ form: errorText(error) });
      setConfirmDelete(false);
    } finally {
      setBusy(null);
    }
  }

  const heading = isNew ? 'New calendar' : (saved?.name ?? 'Calendar');
  return (
    <SlaEditorFrame
      what="calendar"
      heading={heading}
      intro="Business hours in one time zone. Targets count only while the calendar is open."
      saved={saved}
      changedBy={changedBy}
      config={config}
      found={form !== null && form !== undefined}
    >
      {form ? (
        <form className="card" onSubmit={(e) => void save(e)} noValidate data-testid="sla-calendar-form">
          <fieldset disabled={!admin} style={{ border: 0, margin: 0, padding: 0, minWidth: 0 }}>
            <div className="card-body stack">
              {!admin ? <Alert kind="info">Read-only: only admins change calendars.</Alert> : null}
              {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
              <Field id="cal-name" label="Name" error={errors.name}>
                {(p) => (
                  <input
                    {...p}
                    className="input"
                    value={form.name}
                    onChange={(e) => change((f) => ({ ...f, name: e.target.value }), 'name')}
                  />
                )}
              </Field>
              <Field
                id="cal-timeZone"
                label="Time zone"
                hint="Type to search, e.g. Berlin or New_York. Daylight saving is followed."
                error={errors.timeZone}
              >
                {(p) => (
                  <>
                    <input
                      {...p}
                      className="input"
                      list="cal-time-zones"
                      autoComplete="off"
                      value={form.timeZone}
                      onChange={(e) => change((f) => ({ ...f, timeZone: e.target.value }), 'timeZone')}
                    />
                    <datalist id="cal-time-zones">
                      {zones.map((z) => (
                        <option key={z} value={z} />
                      ))}
                    </datalist>
                  </>
                )}
              </Field>
              <div className="field">
                <label className="switch" htmlFor="cal-alwaysOpen">
                  <input
                    id="cal-alwaysOpen"
                    type="checkbox"
                    role="switch"
                    checked={form.alwaysOpen}
                    onChange={(e) => change((f) => ({ ...f, alwaysOpen: e.target.checked }), 'alwaysOpen')}
                    aria-describedby="cal-alwaysOpen-hint"
                  />
                  <span className="switch-track" aria-hidden="true" />
                  <span className="field-label">Open 24/7</span>
                </label>
                <span className="field-hint" id="cal-alwaysOpen-hint">
                  Every minute counts; the week and the holidays below are ignored.
                </span>
              </div>

              {form.alwaysOpen ? null : (
                <>
                  <fieldset className="field" style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
                    <legend className="field-label">Opening hours</legend>
                    <span className="field-hint">A lunch break is two intervals. A day without hours is closed.</span>
                    {errors.week ? (
                      <span className="field-error" data-field-error="">
                        <Icon name="alertCircle" size={14} />
                        {errors.week}
                      </span>
                    ) : null}
                    <div>
                      {weekdays.map((day) => (
                        <DayHours
                          key={day}
                          day={day}
                          intervals={form.week[day]}
                          errors={errors}
                          editable={admin}
                          onChange={(intervals) => setDay(day, intervals)}
                          clearError={(path) => change((f) => f, path)}
                        />
                      ))}
                    </div>
                  </fieldset>
                  <fieldset className="field" style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
                    <legend className="field-label">Holidays</legend>
                    <span className="field-hint">Closed all day, in the calendar&rsquo;s time zone.</span>
                    <div className="stack-sm" data-testid="sla-holidays">
                      {form.holidays.map((h, i) => (
                        <div key={i} className="sla-holiday">
                          <HolidayInputs
                            index={i}
                            date={h.date}
                            name={h.name}
                            errors={errors}
                            onChange={(holiday) =>
                              change(
                                (f) => ({ ...f, holidays: f.holidays.map((x, j) => (j === i ? holiday : x)) }),
                                `holidays.${i}.date`,
                                `holidays.${i}.name`,
                              )
                            }
                          />
                          {admin ? (
                            <Button
                              size="sm"
                              variant="ghost"
                              icon="x"
                              aria-label={`Remove holiday ${h.name || i + 1}`}
                              onClick={() =>
                                change((f) => ({ ...f, holidays: f.holidays.filter((_, j) => j !== i) }), 'holidays')
                              }
                            />
                          ) : null}
                        </div>
                      ))}
                      {admin ? (
                        <div>
                          <Button
                            size="sm"
                            icon="plus"
                            onClick={() =>
                              change((f) => ({ ...f, holidays: [...f.holidays, { date: '', name: '' }] }), 'holidays')
                            }
                          >
                            Add holiday
                          </Button>
                        </div>
                      ) : null}
                    </div>
                  </fieldset>
                </>
              )}
            </div>
          </fieldset>
          {admin ? (
            <div className="card-footer">
              {confirmDelete ? (
                <>
                  <span className="small" role="status" style={{ marginRight: 'auto', alignSelf: 'center' }}>
                    Delete {saved?.name ?? 'this calendar'}? Threads keep the calendar they were given.
                  </span>
                  <Button onClick={() => setConfirmDelete(false)}>Cancel</Button>
                  <Button variant="danger" busy={busy === 'delete'} onClick={() => void remove()}>
                    Yes, delete
                  </Button>
                </>
              ) : (
                <>
                  {saved ? (
                    <Button variant="ghost" onClick={() => setConfirmDelete(true)} style={{ marginRight: 'auto' }}>
                      Delete calendar
                    </Button>
                  ) : (
                    <span style={{ marginRight: 'auto' }} />
                  )}
                  <Button type="submit" variant="primary" busy={busy === 'save'}>
                    Save calendar
                  </Button>
                </>
              )}
            </div>
          ) : null}
        </form>
      ) : null}
    </SlaEditorFrame>
  );
}

function ErrorText({ id, text }: { id: string; text: string | undefined }) {
  return text ? (
    <span className="field-error" id={id} data-field-error="">
      <Icon name="alertCircle" size={14} />
      {text}
    </span>
  ) : null;
}

/** One weekday's intervals: start and end (HH:MM, 24:00 for midnight), add and remove. */
function DayHours({
  day,
  intervals,
  errors,
  editable,
  onChange,
  clearError,
}: {
  day: Weekday;
  intervals: Interval[];
  errors: Errors;
  editable: boolean;
  onChange: (intervals: Interval[]) => void;
  clearError: (path: string) => void;
}) {
  const name = weekdayNames[day];
  const set = (i: number, part: 'start' | 'end', value: string) => {
    onChange(intervals.map((x, j) => (j === i ? { ...x, [part]: value } : x)));
    clearError(`week.${day}.${i}.${part}`);
  };
  return (
    <div className="sla-day" data-testid={`sla-day-${day}`}>
      <span className="field-label" style={{ paddingTop: 6 }}>
        {name}
      </span>
      <div className="stack-sm">
        {intervals.length === 0 ? <span className="small muted">Closed</span> : null}
        {intervals.map((interval, i) => {
          const base = `cal-week-${day}-${i}`;
          const startError = errors[`week.${day}.${i}.start`];
          const endError = errors[`week.${day}.${i}.end`];
          const intervalError = errors[`week.${day}.${i}`];
          return (
            <div key={i}>
              <div className="sla-interval">
                <label className="visually-hidden" htmlFor={`${base}-start`}>
                  {name} interval {i + 1} opens
                </label>
                <input
                  id={`${base}-start`}
                  className="input input-sm"
                  inputMode="numeric"
                  placeholder="09:00"
                  value={interval.start}
                  aria-invalid={startError || intervalError ? true : undefined}
                  aria-describedby={startError ? `${base}-start-error` : undefined}
                  onChange={(e) => set(i, 'start', e.target.value)}
                />
                <span aria-hidden="true">–</span>
                <label className="visually-hidden" htmlFor={`${base}-end`}>
                  {name} interval {i + 1} closes
                </label>
                <input
                  id={`${base}-end`}
                  className="input input-sm"
                  inputMode="numeric"
                  placeholder="17:00"
                  value={interval.end}
                  aria-invalid={endError || intervalError ? true : undefined}
                  aria-describedby={endError ? `${base}-end-error` : undefined}
                  onChange={(e) => set(i, 'end', e.target.value)}
                />
                {editable ? (
                  <Button
                    size="sm"
                    variant="ghost"
                    icon="x"
                    aria-label={`Remove ${name} interval ${i + 1}`}
                    onClick={() => onChange(intervals.filter((_, j) => j !== i))}
                  />
                ) : null}
              </div>
              <ErrorText id={`${base}-start-error`} text={startError} />
              <ErrorText id={`${base}-end-error`} text={endError} />
              <ErrorText id={`${base}-error`} text={intervalError} />
            </div>
          );
        })}
        <ErrorText id={`cal-week-${day}-error`} text={errors[`week.${day}`]} />
        {editable ? (
          <div>
            <Button
              size="sm"
              variant="ghost"
              icon="plus"
              aria-label={`Add hours on ${name}`}
              onClick={() => {
                const last = intervals[intervals.length - 1];
                onChange([...intervals, last ? { start: last.end, end: '' } : { start: '09:00', end: '17:00' }]);
              }}
            >
              Add hours
            </Button>
          </div>
        ) : null}
      </div>
    </div>
  );
}

function HolidayInputs({
  index,
  date,
  name,
  errors,
  onChange,
}: {
  index: number;
  date: string;
  name: string;
  errors: Errors;
  onChange: (holiday: { date: string; name: string }) => void;
}) {
  const base = `cal-holidays-${index}`;
  const dateError = errors[`holidays.${index}.date`];
  const nameError = errors[`holidays.${index}.name`];
  return (
    <>
      <span style={{ display: 'grid' }}>
        <label className="visually-hidden" htmlFor={`${base}-date`}>
          Holiday {index + 1} date
        </label>
        <input
          id={`${base}-date`}
          className="input input-sm"
          type="date"
          value={date}
          aria-invalid={dateError ? true : undefined}
          aria-describedby={dateError ? `${base}-date-error` : undefined}
          onChange={(e) => onChange({ date: e.target.value, name })}
          style={{ width: 'auto' }}
        />
        <ErrorText id={`${base}-date-error`} text={dateError} />
      </span>
      <span style={{ display: 'grid', flex: 1, minWidth: 160 }}>
        <label className="visually-hidden" htmlFor={`${base}-name`}>
          Holiday {index + 1} name
        </label>
        <input
          id={`${base}-name`}
          className="input input-sm"
          placeholder="New Year's Day"
          value={name}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? `${base}-name-error` : undefined}
          onChange={(e) => onChange({ date, name: e.target.value })}
        />
        <ErrorText id={`${base}-name-error`} text={nameError} />
      </span>
    </>
  );
}
