import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { Icon } from '../components/Icon';
import { SlaEditorFrame } from '../components/sla/SlaEditorFrame';
import { useToast } from '../components/Toasts';
import { Alert, Button, Field } from '../components/ui';
import { api, errorText } from '../lib/api';
import { label } from '../lib/format';
import { isAdmin, useIdentity } from '../lib/session';
import {
  formatMinutes,
  metricNames,
  parseMinutes,
  slaMetrics,
  type Policy,
  type PolicyInput,
  type SlaMetric,
  type SlaPriority,
} from '../lib/sla';
import { newId, saveErrors, useChangedBy, useSlaConfig } from '../lib/slaConfig';
import { priorities, queryTypes, type QueryType } from '../lib/types';

type Errors = Record<string, string>;
type TargetKey = `${SlaMetric}Minutes`;

/** The form as typed: minutes stay text ("1h 30m") until saved. */
interface PolicyForm {
  name: string;
  calendarId: string;
  position: string;
  queryTypes: QueryType[];
  partnerOrgIds: string;
  targets: Record<SlaPriority, Record<TargetKey, string>>;
  warnBefore: string;
}

const targetKeys = slaMetrics.map((m) => `${m}Minutes` as TargetKey);

function formOf(p: PolicyInput): PolicyForm {
  const targets = {} as PolicyForm['targets'];
  for (const prio of priorities) {
    targets[prio] = {
      firstResponseMinutes: formatMinutes(p.targets[prio].firstResponseMinutes),
      nextResponseMinutes: formatMinutes(p.targets[prio].nextResponseMinutes),
      resolutionMinutes: formatMinutes(p.targets[prio].resolutionMinutes),
    };
  }
  return {
    name: p.name,
    calendarId: p.calendarId,
    position: String(p.position),
    queryTypes: p.match.queryTypes,
    partnerOrgIds: p.match.partnerOrgIds.join(', '),
    targets,
    warnBefore: formatMinutes(p.warnBeforeMinutes),
  };
}

function blankPolicy(calendarId: string, position: number): PolicyInput {
  const t = (first: number, next: number, resolution: number) => ({
    firstResponseMinutes: first,
    nextResponseMinutes: next,
    resolutionMinutes: resolution,
  });
  return {
    name: '',
    calendarId,
    position,
    match: { queryTypes: [], partnerOrgIds: [] },
    targets: {
      LOW: t(480, 480, 4800),
      MEDIUM: t(240, 240, 2400),
      HIGH: t(120, 120, 960),
      URGENT: t(30, 60, 480),
    },
    warnBeforeMinutes: 15,
  };
}

/** The form as the desk takes it, or the fields that are sure to be refused. */
export function policyInput(form: PolicyForm): { input: PolicyInput } | { errors: Errors } {
  const errors: Errors = {};
  if (!form.name.trim()) errors.name = 'Give the policy a name.';
  if (!form.calendarId) errors.calendarId = 'Pick the calendar its targets count on.';
  const position = Number(form.position);
  if (!/^\d+$/.test(form.position.trim())) errors.position = 'A whole number, 0 or more (lower is tried first).';
  const targets = {} as PolicyInput['targets'];
  for (const prio of priorities) {
    const row = {} as PolicyInput['targets'][SlaPriority];
    for (const key of targetKeys) {
      const minutes = parseMinutes(form.targets[prio][key]);
      if (minutes === undefined) errors[`targets.${prio}.${key}`] = 'Use minutes or hours, like 90, 1h 30m or 2h.';
      else if (minutes === 0) errors[`targets.${prio}.${key}`] = 'At least 1 minute (leave it empty for no target).';
      row[key] = minutes ?? null;
    }
    targets[prio] = row;
  }
  const warn = parseMinutes(form.warnBefore);
  if (warn === undefined) errors.warnBeforeMinutes = 'Use minutes or hours, like 15 or 1h.';
  if (Object.keys(errors).length) return { errors };
  return {
    input: {
      name: form.name.trim(),
      calendarId: form.calendarId,
      position,
      match: {
        queryTypes: form.queryTypes,
        partnerOrgIds: form.partnerOrgIds
          .split(/[,\s]+/)
          .map((s) => s.trim())
          .filter(Boolean),
      },
      targets,
      warnBeforeMinutes: warn ?? 0,
    },
  };
}

const knownPath = (path: string) =>
  ['name', 'calendarId', 'position', 'warnBeforeMinutes'].includes(path) || /^(targets|match)\b/.test(path);

/**
 * /admin/service-levels/policies/:policyId (`new` for a new one): a policy's name, calendar,
 * position (lower is tried first), what it matches (query types, partner organisations; none
 * ticked is any), its targets per priority and metric (minutes, typed as "1h 30m" too; empty is
 * no target) and how long before a deadline staff are warned. Admins save and delete; agents read.
 */
export function SlaPolicyPage() {
  const { policyId: param = 'new' } = useParams();
  const identity = useIdentity();
  const admin = isAdmin(identity);
  const navigate = useNavigate();
  const toast = useToast();
  const config = useSlaConfig();
  const changedBy = useChangedBy(identity);
  const [createdId] = useState(newId);
  const isNew = param === 'new';
  const policyId = isNew ? createdId : param;
  const saved = config.data?.policies.find((p) => p.policyId === policyId);
  const calendars = [...(config.data?.calendars ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  const [form, setForm] = useState<PolicyForm | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState<'save' | 'delete' | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);

  useEffect(() => {
    if (form || !config.data) return;
    if (isNew) {
      const last = Math.max(-10, ...config.data.policies.map((p) => p.position));
      setForm(formOf(blankPolicy(config.data.calendars[0]?.calendarId ?? '', last + 10)));
    } else if (saved) setForm(formOf(saved));
  }, [config.data, form, isNew, saved]);

  function change(update: (f: PolicyForm) => PolicyForm, ...paths: string[]) {
    setForm((f) => (f ? update(f) : f));
    setErrors((e) => {
      const next = { ...e };
      for (const p of [...paths, 'form']) delete next[p];
      return next;
    });
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!form || !admin) return;
    const checked = policyInput(form);
    if ('errors' in checked) {
      setErrors(checked.errors);
      const first = Object.keys(checked.errors)[0];
      if (first) document.getElementById(`pol-${first.replace(/\./g, '-')}`)?.focus();
      return;
    }
    setErrors({});
    setBusy('save');
    try {
      const answer = await api.put<{ policy: Policy }>(
        `/api/support/sla/policies/${encodeURIComponent(policyId)}`,
        checked.input,
      );
      config.setData((current) =>
        current
          ? { ...current, policies: [...current.policies.filter((p) => p.policyId !== policyId), answer.policy] }
          : current,
      );
      setForm(formOf(answer.policy));
      toast('Policy saved');
      if (isNew) navigate(`/admin/service-levels/policies/${policyId}`, { replace: true });
    } catch (error) {
      setErrors(saveErrors(error, knownPath));
    } finally {
      setBusy(null);
    }
  }

  async function remove() {
    setBusy('delete');
    try {
      await api.del(`/api/support/sla/policies/${encodeURIComponent(policyId)}`);
      config.setData((current) =>
        current ? { ...current, policies: current.policies.filter((p) => p.policyId !== policyId) } : current,
      );
      toast('Policy deleted');
      navigate('/admin/service-levels');
    } catch (error) {
      setErrors({ form: errorText(error) });
      setConfirmDelete(false);
    } finally {
      setBusy(null);
    }
  }

  const matchError = errors['match.queryTypes'] ?? errors.match;
  const orgError = errors['match.partnerOrgIds'];
  return (
    <SlaEditorFrame
      what="policy"
      heading={isNew ? 'New policy' : (saved?.name ?? 'Policy')}
      intro="Targets per priority, counted in the calendar’s business hours. A thread keeps the version it got."
      saved={saved}
      changedBy={changedBy}
      config={config}
      found={form !== null && form !== undefined}
    >
      {form ? (
        <form className="card" onSubmit={(e) => void save(e)} noValidate data-testid="sla-policy-form">
          <fieldset disabled={!admin} style={{ border: 0, margin: 0, padding: 0, minWidth: 0 }}>
            <div className="card-body stack">
              {!admin ? <Alert kind="info">Read-only: only admins change policies.</Alert> : null}
              {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
              <Field id="pol-name" label="Name" error={errors.name}>
                {(p) => (
                  <input
                    {...p}
                    className="input"
                    value={form.name}
                    onChange={(e) => change((f) => ({ ...f, name: e.target.value }), 'name')}
                  />
                )}
              </Field>
              <div className="row" style={{ gap: 16, alignItems: 'flex-start', flexWrap: 'wrap' }}>
                <div style={{ flex: 2, minWidth: 220 }}>
                  <Field
                    id="pol-calendarId"
                    label="Calendar"
                    error={errors.calendarId}
                    hint={calendars.length ? undefined : 'Make a calendar first.'}
                  >
                    {(p) => (
                      <select
                        {...p}
                        className="select"
                        value={form.calendarId}
                        onChange={(e) => change((f) => ({ ...f, calendarId: e.target.value }), 'calendarId')}
                      >
                        <option value="">Pick a calendar</option>
                        {calendars.map((c) => (
                          <option key={c.calendarId} value={c.calendarId}>
                            {c.name} ({c.alwaysOpen ? '24/7' : c.timeZone})
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                </div>
                <div style={{ flex: 1, minWidth: 140 }}>
                  <Field id="pol-position" label="Position" hint="Lower is tried first." error={errors.position}>
                    {(p) => (
                      <input
                        {...p}
                        className="input"
                        inputMode="numeric"
                        value={form.position}
                        onChange={(e) => change((f) => ({ ...f, position: e.target.value }), 'position')}
                      />
                    )}
                  </Field>
                </div>
              </div>

              <fieldset className="field" style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
                <legend className="field-label">Query types</legend>
                <span className="field-hint" id="pol-match-queryTypes-hint">
                  None ticked: any query type.
                </span>
                <div className="sla-checks" id="pol-match-queryTypes">
                  {queryTypes.map((t) => (
                    <label key={t}>
                      <input
                        type="checkbox"
                        checked={form.queryTypes.includes(t)}
                        onChange={(e) =>
                          change(
                            (f) => ({
                              ...f,
                              queryTypes: e.target.checked
                                ? queryTypes.filter((x) => x === t || f.queryTypes.includes(x))
                                : f.queryTypes.filter((x) => x !== t),
                            }),
                            'match.queryTypes',
                          )
                        }
                      />
                      {label(t)}
                    </label>
                  ))}
                </div>
                {matchError ? (
                  <span className="field-error" data-field-error="">
                    <Icon name="alertCircle" size={14} />
                    {matchError}
                  </span>
                ) : null}
              </fieldset>
              <Field
                id="pol-match-partnerOrgIds"
                label="Partner organisations"
                optional
                hint="Their ids, separated by commas, e.g. acme, globex. Empty: any partner."
                error={orgError}
              >
                {(p) => (
                  <input
                    {...p}
                    className="input"
                    autoComplete="off"
                    value={form.partnerOrgIds}
                    onChange={(e) => change((f) => ({ ...f, partnerOrgIds: e.target.value }), 'match.partnerOrgIds')}
                  />
                )}
              </Field>

              <fieldset className="field" style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
                <legend className="field-label">Targets</legend>
                <span className="field-hint">
                  Business time per priority: minutes (90) or hours and minutes (1h 30m). Empty: no target.
                </span>
                <div style={{ overflowX: 'auto' }}>
                  <table className="sla-targets sla-grid" data-testid="sla-targets-grid">
                    <thead>
                      <tr>
                        <th scope="col">Priority</th>
                        {slaMetrics.map((m) => (
                          <th key={m} scope="col">
                            {metricNames[m]}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {priorities.map((prio) => (
                        <tr key={prio}>
                          <th scope="row">{label(prio)}</th>
                          {targetKeys.map((key, i) => {
                            const path = `targets.${prio}.${key}`;
                            const id = `pol-${path.replace(/\./g, '-')}`;
                            const error = errors[path];
                            return (
                              <td key={key}>
                                <label className="visually-hidden" htmlFor={id}>
                                  {label(prio)} {metricNames[slaMetrics[i]!].toLowerCase()}
                                </label>
                                <input
                                  id={id}
                                  className="input input-sm"
                                  autoComplete="off"
                                  placeholder="none"
                                  value={form.targets[prio][key]}
                                  aria-invalid={error ? true : undefined}
                                  aria-describedby={error ? `${id}-error` : undefined}
                                  onChange={(e) =>
                                    change(
                                      (f) => ({
                                        ...f,
                                        targets: {
                                          ...f.targets,
                                          [prio]: { ...f.targets[prio], [key]: e.target.value },
                                        },
                                      }),
                                      path,
                                    )
                                  }
                                />
                                {error ? (
                                  <span className="field-error" id={`${id}-error`} data-field-error="">
                                    <Icon name="alertCircle" size={14} />
                                    {error}
                                  </span>
                                ) : null}
                              </td>
                            );
                          })}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </fieldset>
              <Field
                id="pol-warnBeforeMinutes"
                label="Warn before"
                hint="How long before a deadline the clock turns amber and staff are warned, e.g. 15 or 1h."
                error={errors.warnBeforeMinutes}
              >
                {(p) => (
                  <input
                    {...p}
                    className="input"
                    style={{ maxWidth: 160 }}
                    autoComplete="off"
                    value={form.warnBefore}
                    onChange={(e) => change((f) => ({ ...f, warnBefore: e.target.value }), 'warnBeforeMinutes')}
                  />
                )}
              </Field>
            </div>
          </fieldset>
          {admin ? (
            <div className="card-footer">
              {confirmDelete ? (
                <>
                  <span className="small" role="status" style={{ marginRight: 'auto', alignSelf: 'center' }}>
                    Delete {saved?.name ?? 'this policy'}? Threads keep the policy version they got.
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
                      Delete policy
                    </Button>
                  ) : (
                    <span style={{ marginRight: 'auto' }} />
                  )}
                  <Button type="submit" variant="primary" busy={busy === 'save'}>
                    Save policy
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
