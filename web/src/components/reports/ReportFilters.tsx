import { label } from '../../lib/format';
import { queryTypes, type StaffMember } from '../../lib/types';
import { Button } from '../ui';

/** The reports page's filters, as its address keeps them (`?period=30&org=acme&type=PAYMENT&agent=me`). */
export interface ReportFilterValues {
  period: string;
  /** Custom period: the first and last day (YYYY-MM-DD), both included. */
  from: string;
  to: string;
  org: string;
  type: string;
  agent: string;
}

export const periodPresets = [
  { value: '7', text: 'Last 7 days' },
  { value: '30', text: 'Last 30 days' },
  { value: '90', text: 'Last 90 days' },
  { value: '365', text: 'Last 12 months' },
  { value: 'custom', text: 'Custom dates' },
] as const;

const localDay = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** Midnight at the start of a YYYY-MM-DD day in the browser's zone. */
const startOf = (day: string) => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
};

/**
 * The period a choice covers, as whole days in the browser's zone: a preset ends with today, a
 * custom period with its last day. `to` is the midnight after the last day.
 */
export function periodOf(values: ReportFilterValues, today = new Date()): { from: Date; to: Date } | null {
  if (values.period === 'custom') {
    if (!values.from || !values.to || values.from > values.to) return null;
    const to = startOf(values.to);
    to.setDate(to.getDate() + 1);
    return { from: startOf(values.from), to };
  }
  const days = Number(values.period) || 30;
  const to = startOf(localDay(today));
  to.setDate(to.getDate() + 1);
  const from = new Date(to);
  from.setDate(from.getDate() - days);
  return { from, to };
}

export function ReportFilters({
  values,
  organisations,
  staff,
  onChange,
}: {
  values: ReportFilterValues;
  organisations: string[];
  staff: StaffMember[];
  onChange: (changes: Partial<ReportFilterValues>) => void;
}) {
  const today = localDay(new Date());
  const filtered = Boolean(values.org || values.type || values.agent);
  return (
    <div className="filters" role="search" aria-label="Report filters">
      <label className="visually-hidden" htmlFor="report-period">
        Period
      </label>
      <select
        id="report-period"
        className="select input-sm"
        value={values.period}
        onChange={(e) => {
          const period = e.target.value;
          if (period !== 'custom') return onChange({ period, from: '', to: '' });
          // a custom period starts as the one shown, to be changed from there
          const shown = periodOf(values);
          const last = shown ? new Date(shown.to.getTime() - 1) : new Date();
          onChange({ period, from: shown ? localDay(shown.from) : today, to: localDay(last) });
        }}
      >
        {periodPresets.map((p) => (
          <option key={p.value} value={p.value}>
            {p.text}
          </option>
        ))}
      </select>
      {values.period === 'custom' ? (
        <>
          <label className="filter-date">
            <span>From</span>
            <input
              className="input input-sm"
              type="date"
              value={values.from}
              max={values.to || today}
              onChange={(e) => onChange({ from: e.target.value })}
            />
          </label>
          <label className="filter-date">
            <span>To</span>
            <input
              className="input input-sm"
              type="date"
              value={values.to}
              min={values.from}
              onChange={(e) => onChange({ to: e.target.value })}
            />
          </label>
        </>
      ) : null}
      <label className="visually-hidden" htmlFor="report-org">
        Organisation
      </label>
      <select
        id="report-org"
        className="select input-sm"
        value={values.org}
        onChange={(e) => onChange({ org: e.target.value })}
      >
        <option value="">Every organisation</option>
        {organisations.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      <label className="visually-hidden" htmlFor="report-type">
        Query type
      </label>
      <select
        id="report-type"
        className="select input-sm"
        value={values.type}
        onChange={(e) => onChange({ type: e.target.value })}
      >
        <option value="">Every query type</option>
        {queryTypes.map((t) => (
          <option key={t} value={t}>
            {label(t)}
          </option>
        ))}
      </select>
      <label className="visually-hidden" htmlFor="report-agent">
        Agent
      </label>
      <select
        id="report-agent"
        className="select input-sm"
        value={values.agent}
        onChange={(e) => onChange({ agent: e.target.value })}
      >
        <option value="">Every agent</option>
        <option value="me">Assigned to me</option>
        <option value="none">Unassigned</option>
        {staff.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
      {filtered ? (
        <Button size="sm" variant="ghost" onClick={() => onChange({ org: '', type: '', agent: '' })}>
          Clear filters
        </Button>
      ) : null}
    </div>
  );
}
