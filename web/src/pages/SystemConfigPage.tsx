import { useEffect, useState, type FormEvent, type InputHTMLAttributes } from 'react';
import { PortalUrlMismatch } from '../components/PortalUrlWarning';
import { useToast } from '../components/Toasts';
import { Alert, Button, ErrorState, Field, LoadingState } from '../components/ui';
import { ApiError, api, errorText } from '../lib/api';
import type { SystemConfig } from '../lib/types';
import { queryKeys } from '../lib/queryKeys';
import { useDeskQuery } from '../lib/useDeskQuery';

interface Form {
  whatsappNumber: string;
  supportEmail: string;
  portalBaseUrl: string;
  whatsappBubbleEnabled: boolean;
  showStaffNamesInPresence: boolean;
  notifyTeamOfUnassigned: boolean;
  satisfactionSurveyEnabled: boolean;
  satisfactionScale: 'three' | 'five';
  /** As typed: checked to be a whole number of days, 1 to 90. */
  satisfactionLinkDays: string;
}

type Errors = Partial<Record<keyof Form | 'form', string>>;

/** The same rules as the server (domain/systemConfig), checked before sending. */
export function validateConfig(form: Form): Errors {
  const errors: Errors = {};
  const number = form.whatsappNumber.trim();
  if (number && !/^\d+$/.test(number)) errors.whatsappNumber = 'Use digits only: no spaces, dashes or +.';
  else if (number && (number.length < 8 || number.length > 15))
    errors.whatsappNumber = 'Must be 8 to 15 digits, country code first.';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.supportEmail.trim()))
    errors.supportEmail = 'Enter an email address, like support@example.com.';
  try {
    const url = new URL(form.portalBaseUrl.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      errors.portalBaseUrl = 'Must start with http:// or https://.';
  } catch {
    errors.portalBaseUrl = 'Enter a full URL, like https://desk.example.com.';
  }
  if (form.whatsappBubbleEnabled && !number) errors.whatsappBubbleEnabled = 'Set a WhatsApp number to show the bubble.';
  const days = Number(form.satisfactionLinkDays.trim());
  if (!/^\d+$/.test(form.satisfactionLinkDays.trim()) || days < 1 || days > 90)
    errors.satisfactionLinkDays = 'Enter a whole number of days from 1 to 90.';
  return errors;
}

const sentence = (s: string) => {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
};

export function SystemConfigPage() {
  const toast = useToast();
  const config = useDeskQuery({
    queryKey: queryKeys.systemConfig(),
    read: (signal) => api.get<SystemConfig>('/api/support/config', { signal }),
  });
  const [form, setForm] = useState<Form | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [savedAt, setSavedAt] = useState<number | null>(null);

  useEffect(() => {
    if (config.data && !form) {
      setForm({
        whatsappNumber: config.data.whatsappNumber ?? '',
        supportEmail: config.data.supportEmail,
        portalBaseUrl: config.data.portalBaseUrl,
        whatsappBubbleEnabled: config.data.whatsappBubbleEnabled,
        showStaffNamesInPresence: config.data.showStaffNamesInPresence,
        notifyTeamOfUnassigned: config.data.notifyTeamOfUnassigned,
        satisfactionSurveyEnabled: config.data.satisfactionSurveyEnabled,
        satisfactionScale: config.data.satisfactionScale,
        satisfactionLinkDays: String(config.data.satisfactionLinkDays),
      });
    }
  }, [config.data, form]);

  function set<K extends keyof Form>(key: K, value: Form[K]) {
    setForm((f) => (f ? { ...f, [key]: value } : f));
    setErrors((e) => ({ ...e, [key]: undefined, form: undefined }));
    setSavedAt(null);
  }

  /** One text setting: its field, its hint and error, its input bound to the form. */
  function textSetting(
    name: 'whatsappNumber' | 'supportEmail' | 'portalBaseUrl',
    field: { label: string; hint: string; optional?: boolean; input: InputHTMLAttributes<HTMLInputElement> },
  ) {
    return (
      <Field id={`config-${name}`} label={field.label} optional={field.optional} hint={field.hint} error={errors[name]}>
        {(p) => (
          <input
            {...p}
            {...field.input}
            className="input"
            value={form?.[name] ?? ''}
            onChange={(e) => set(name, e.target.value)}
            name={name}
          />
        )}
      </Field>
    );
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!form || !config.data) return;
    const found = validateConfig(form);
    setErrors(found);
    const firstBad = (
      ['whatsappNumber', 'supportEmail', 'portalBaseUrl', 'whatsappBubbleEnabled', 'satisfactionLinkDays'] as const
    ).find((k) => found[k]);
    if (firstBad) {
      document.getElementById(`config-${firstBad}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const saved = await api.put<SystemConfig>(
        '/api/support/config',
        {
          whatsappNumber: form.whatsappNumber.trim() || null,
          supportEmail: form.supportEmail.trim(),
          portalBaseUrl: form.portalBaseUrl.trim(),
          whatsappBubbleEnabled: form.whatsappBubbleEnabled,
          showStaffNamesInPresence: form.showStaffNamesInPresence,
          notifyTeamOfUnassigned: form.notifyTeamOfUnassigned,
          satisfactionSurveyEnabled: form.satisfactionSurveyEnabled,
          satisfactionScale: form.satisfactionScale,
          satisfactionLinkDays: Number(form.satisfactionLinkDays.trim()),
        },
        { headers: { 'if-match': `"${config.data.revision}"` } },
      );
      config.setData(() => saved);
      setForm({
        whatsappNumber: saved.whatsappNumber ?? '',
        supportEmail: saved.supportEmail,
        portalBaseUrl: saved.portalBaseUrl,
        whatsappBubbleEnabled: saved.whatsappBubbleEnabled,
        showStaffNamesInPresence: saved.showStaffNamesInPresence,
        notifyTeamOfUnassigned: saved.notifyTeamOfUnassigned,
        satisfactionSurveyEnabled: saved.satisfactionSurveyEnabled,
        satisfactionScale: saved.satisfactionScale,
        satisfactionLinkDays: String(saved.satisfactionLinkDays),
      });
      setSavedAt(Date.now());
      toast('Settings saved');
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fieldErrors).length) {
        const fieldErrors: Errors = {};
        for (const [k, v] of Object.entries(error.fieldErrors)) {
          if (k in form) fieldErrors[k as keyof Form] = sentence(v);
          else fieldErrors.form = sentence(`${k}: ${v}`);
        }
        setErrors(fieldErrors);
      } else if (error instanceof ApiError && error.status === 412) {
        setErrors({
          form: 'Someone else saved the settings meanwhile. Reload the page to see their version, then save again.',
        });
      } else {
        setErrors({ form: errorText(error) });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="page page-narrow">
      <div className="page-header">
        <div>
          <h1>System config</h1>
          <p>How partners reach support: WhatsApp, email, the links the desk sends, and what they see of us.</p>
        </div>
      </div>
      {config.loading ? (
        <div className="card">
          <LoadingState text="Loading the settings…" />
        </div>
      ) : config.error && !config.data ? (
        <div className="card">
          <ErrorState error={config.error} onRetry={() => void config.reload()} />
        </div>
      ) : form ? (
        <form className="card" onSubmit={(e) => void save(e)} noValidate data-testid="config-form">
          <div className="card-body stack">
            {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
            {savedAt ? (
              <Alert kind="success" title="Saved">
                Open pages show the new settings at once.
              </Alert>
            ) : null}
            {textSetting('whatsappNumber', {
              label: 'WhatsApp number',
              optional: true,
              hint: 'International format, digits only, country code first (8 to 15 digits), e.g. 4915123456789.',
              input: { inputMode: 'numeric', autoComplete: 'off' },
            })}
            {textSetting('supportEmail', {
              label: 'Support email',
              hint: 'New queries are announced to this address.',
              input: { type: 'email' },
            })}
            {textSetting('portalBaseUrl', {
              label: 'Portal base URL',
              hint: 'Links in emails and guest links start with it.',
              input: { type: 'url' },
            })}
            <PortalUrlMismatch
              portalBaseUrl={form.portalBaseUrl.trim()}
              onUseHere={() => set('portalBaseUrl', window.location.origin)}
            />
            <SwitchField
              id="config-whatsappBubbleEnabled"
              label="Show the WhatsApp bubble on partner pages"
              hint="A green chat button, bottom right, with the assignment and thread prefilled."
              checked={form.whatsappBubbleEnabled}
              onChange={(on) => set('whatsappBubbleEnabled', on)}
              error={errors.whatsappBubbleEnabled}
            />
            <SwitchField
              id="config-showStaffNamesInPresence"
              label="Show partners and guests which agent is typing"
              hint="On: the agent’s name, e.g. “Alex Agent (support) is typing…”. Off: “Support is typing…”. Account ids are never shown."
              checked={form.showStaffNamesInPresence}
              onChange={(on) => set('showStaffNamesInPresence', on)}
            />
            <SwitchField
              id="config-notifyTeamOfUnassigned"
              label="Email the support address when a partner or guest writes in an unassigned thread"
              hint="An assigned thread emails its agent (unless they turned it off in My settings). New queries always email the support address."
              checked={form.notifyTeamOfUnassigned}
              onChange={(on) => set('notifyTeamOfUnassigned', on)}
            />
            <SwitchField
              id="config-satisfactionSurveyEnabled"
              label="Ask partners and guests how it went when their thread is resolved"
              hint="The person who raised the thread gets an email with a one-click rating and room for a comment. Staff see the answer beside the thread."
              checked={form.satisfactionSurveyEnabled}
              onChange={(on) => set('satisfactionSurveyEnabled', on)}
            />
            <fieldset className="field" disabled={!form.satisfactionSurveyEnabled}>
              <legend className="field-label">Rating scale</legend>
              <label className="radio">
                <input
                  type="radio"
                  name="satisfactionScale"
                  value="three"
                  checked={form.satisfactionScale === 'three'}
                  onChange={() => set('satisfactionScale', 'three')}
                />{' '}
                Good, okay, bad
              </label>
              <label className="radio">
                <input
                  type="radio"
                  name="satisfactionScale"
                  value="five"
                  checked={form.satisfactionScale === 'five'}
                  onChange={() => set('satisfactionScale', 'five')}
                />{' '}
                1 to 5 (5 is best)
              </label>
            </fieldset>
            <Field
              id="config-satisfactionLinkDays"
              label="Days the survey link takes answers"
              hint="From 1 to 90. Until then the answer can be changed, or a comment added."
              error={errors.satisfactionLinkDays}
            >
              {(p) => (
                <input
                  {...p}
                  className="input"
                  inputMode="numeric"
                  name="satisfactionLinkDays"
                  style={{ maxWidth: 120 }}
                  disabled={!form.satisfactionSurveyEnabled}
                  value={form.satisfactionLinkDays}
                  onChange={(e) => set('satisfactionLinkDays', e.target.value)}
                />
              )}
            </Field>
          </div>
          <div className="card-footer">
            <span className="small muted" style={{ marginRight: 'auto', alignSelf: 'center' }}>
              Every change is recorded with who made it.
            </span>
            <Button type="submit" variant="primary" busy={busy}>
              Save settings
            </Button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

/** An on/off setting: a switch with its label, a hint, and the field's error when it has one. */
function SwitchField(props: {
  id: string;
  label: string;
  hint: string;
  checked: boolean;
  onChange: (on: boolean) => void;
  error?: string | undefined;
}) {
  const hintId = `${props.id}-hint`;
  return (
    <div className="field">
      <label className="switch" htmlFor={props.id}>
        <input
          id={props.id}
          type="checkbox"
          role="switch"
          checked={props.checked}
          onChange={(e) => props.onChange(e.target.checked)}
          aria-describedby={hintId}
          aria-invalid={props.error ? true : undefined}
        />
        <span className="switch-track" aria-hidden="true" />
        <span className="field-label">{props.label}</span>
      </label>
      <span className="field-hint" id={hintId}>
        {props.hint}
      </span>
      {props.error ? (
        <span className="field-error" data-field-error="">
          {props.error}
        </span>
      ) : null}
    </div>
  );
}
