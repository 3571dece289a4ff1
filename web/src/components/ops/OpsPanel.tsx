import { useState, type ReactNode } from 'react';
import { errorText } from '../../lib/api';
import type { DeskQuery } from '../../lib/useDeskQuery';
import { Icon, type IconName } from '../Icon';
import { useToast } from '../Toasts';
import { Alert, EmptyState, ErrorState, SkeletonRows } from '../ui';

/**
 * What every panel of the ops page shares: a card with its heading (and what sits beside it), the
 * error of the last action, and the first load, a failed read and an empty list drawn the same
 * way everywhere.
 */
export function OpsPanel({
  id,
  title,
  icon,
  testId,
  aside,
  error,
  children,
}: {
  /** The heading's id (the section is labelled by it). */
  id: string;
  title: string;
  icon: IconName;
  testId: string;
  /** Beside the heading: a count, a note, a button. */
  aside?: ReactNode;
  /** The last action's error, if it failed. */
  error?: string | null;
  children: ReactNode;
}) {
  return (
    <section className="card" aria-labelledby={id} data-testid={testId}>
      <div className="card-header">
        <Icon name={icon} />
        <h2 id={id}>{title}</h2>
        {aside}
      </div>
      {error ? (
        <div style={{ padding: '12px 20px 0' }}>
          <Alert kind="error">{error}</Alert>
        </div>
      ) : null}
      {children}
    </section>
  );
}

/** A panel's list: skeleton rows on the first load, the error with a retry, the empty state, or the list. */
export function PanelBody<T>({
  query,
  rows = 2,
  isEmpty,
  empty,
  children,
}: {
  query: DeskQuery<T>;
  rows?: number;
  isEmpty: (data: T) => boolean;
  empty: { icon: IconName; title: string; text: ReactNode };
  children: (data: T) => ReactNode;
}) {
  if (query.loading) return <SkeletonRows rows={rows} />;
  if (!query.data) {
    return query.error ? <ErrorState error={query.error} onRetry={() => void query.reload()} /> : null;
  }
  if (isEmpty(query.data)) {
    return (
      <EmptyState icon={empty.icon} title={empty.title}>
        {empty.text}
      </EmptyState>
    );
  }
  return <>{children(query.data)}</>;
}

/**
 * An ops action: which one is running (its key, for the busy button), and the error of the last
 * one. `run` answers whether it succeeded; the text it resolves to is shown as a toast.
 */
export function useOpsAction() {
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function run(key: string, action: () => Promise<string | void>): Promise<boolean> {
    setBusy(key);
    setError(null);
    try {
      const done = await action();
      if (done) toast(done);
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(null);
    }
  }
  return { busy, error, run };
}
