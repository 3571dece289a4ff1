import { useId, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { errorText } from '../lib/api';
import { initials, label } from '../lib/format';
import { Icon, type IconName } from './Icon';

export function Spinner({ label: text = 'Loading' }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={text} />;
}

export function Button({
  variant = 'secondary',
  size,
  busy,
  icon,
  children,
  className,
  disabled,
  type = 'button',
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'ghost' | 'danger';
  size?: 'sm';
  busy?: boolean;
  icon?: IconName;
}) {
  const classes = ['btn', variant !== 'secondary' ? `btn-${variant}` : '', size ? `btn-${size}` : '', className ?? '']
    .filter(Boolean)
    .join(' ');
  return (
    // `rest` first: a busy button stays disabled whatever the caller's `disabled` says
    <button {...rest} type={type} className={classes} disabled={busy || disabled} aria-busy={busy || undefined}>
      {busy ? <span className="spinner" aria-hidden="true" /> : icon ? <Icon name={icon} /> : null}
      {children}
    </button>
  );
}

/** A labelled input with hint and inline error, wired with aria-describedby / aria-invalid. */
export function Field({
  label: text,
  hint,
  error,
  children,
  optional,
  id: givenId,
}: {
  id?: string;
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  optional?: boolean;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  const generatedId = useId();
  const id = givenId ?? generatedId;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {text}
        {optional ? <span className="muted"> (optional)</span> : null}
      </label>
      {children({
        id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(error ? { 'aria-invalid': true } : {}),
      })}
      {hint ? (
        <span className="field-hint" id={hintId}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="field-error" id={errorId} data-field-error="">
          <Icon name="alertCircle" size={14} />
          {error}
        </span>
      ) : null}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-dot badge-${status}`}>{label(status)}</span>;
}

export function PriorityBadge({ priority }: { priority: string }) {
  return (
    <span className={`prio prio-${priority}`} title={`Priority: ${label(priority)}`}>
      <span className="prio-bars" aria-hidden="true">
        <i />
        <i />
        <i />
      </span>
      {label(priority)}
    </span>
  );
}

export function Avatar({ name, kind, small }: { name: string; kind?: string; small?: boolean }) {
  const cls = [
    'avatar',
    small ? 'avatar-sm' : '',
    kind === 'partner' || kind === 'guest' ? 'avatar-partner' : '',
    kind === 'system' ? 'avatar-system' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <span className={cls} aria-hidden="true">
      {initials(name)}
    </span>
  );
}

export function LoadingState({ text = 'Loading…' }: { text?: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <p>{text}</p>
    </div>
  );
}

/** Placeholder rows while a list loads. */
export function SkeletonRows({ rows = 5 }: { rows?: number }) {
  return (
    <div role="status" aria-label="Loading" style={{ padding: 16, display: 'grid', gap: 18 }}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} style={{ display: 'grid', gap: 8 }}>
          <span className="skeleton" style={{ height: 14, width: `${55 + ((i * 13) % 35)}%` }} />
          <span className="skeleton" style={{ height: 11, width: `${30 + ((i * 17) % 40)}%` }} />
        </div>
      ))}
    </div>
  );
}

export function EmptyState({
  icon = 'inbox',
  title,
  children,
  action,
}: {
  icon?: IconName;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="state">
      <span className="state-icon">
        <Icon name={icon} size={20} />
      </span>
      <h3>{title}</h3>
      {children ? <p>{children}</p> : null}
      {action}
    </div>
  );
}

export function ErrorState({
  error,
  onRetry,
  title = 'Could not load this',
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  return (
    <div className="state state-error" role="alert">
      <span className="state-icon">
        <Icon name="alert" size={20} />
      </span>
      <h3>{title}</h3>
      <p>{errorText(error)}</p>
      {onRetry ? (
        <Button size="sm" icon="refresh" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}

export function Alert({
  kind = 'info',
  title,
  children,
}: {
  kind?: 'info' | 'error' | 'success' | 'warning';
  title?: string;
  children?: ReactNode;
}) {
  const icon: IconName =
    kind === 'error' ? 'alertCircle' : kind === 'success' ? 'checkCircle' : kind === 'warning' ? 'alert' : 'info';
  return (
    <div className={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <Icon name={icon} />
      <div>
        {title ? <strong>{title}</strong> : null}
        {children}
      </div>
    </div>
  );
}
