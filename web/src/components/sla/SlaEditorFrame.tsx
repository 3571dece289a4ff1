import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { formatDateTime } from '../../lib/format';
import { Icon } from '../Icon';
import { EmptyState, ErrorState, LoadingState } from '../ui';

/**
 * The frame of a calendar's or a policy's page: the way back, the heading with the version and
 * who changed it last, and the loading, error and "gone" states around the form.
 */
export function SlaEditorFrame({
  what,
  heading,
  intro,
  saved,
  changedBy,
  config,
  found,
  children,
}: {
  what: 'calendar' | 'policy';
  heading: string;
  intro: ReactNode;
  saved: { version: number; updatedBy: string; updatedAt: string } | undefined;
  changedBy: (name: string) => string;
  config: { loading: boolean; error: unknown; data: unknown; reload: () => Promise<unknown> };
  /** Whether the form has something to show (a new item, or the one asked for exists). */
  found: boolean;
  children: ReactNode;
}) {
  return (
    <div className="page page-narrow">
      <p className="small" style={{ marginBottom: 8 }}>
        <Link to="/admin/service-levels" className="row" style={{ display: 'inline-flex' }}>
          <Icon name="arrowLeft" size={14} />
          Service levels
        </Link>
      </p>
      <div className="page-header">
        <div>
          <h1>{heading}</h1>
          <p>
            {intro}
            {saved ? (
              <span data-testid="sla-version">
                {' '}
                Version {saved.version}, last changed by {changedBy(saved.updatedBy)} on{' '}
                {formatDateTime(saved.updatedAt)}.
              </span>
            ) : null}
          </p>
        </div>
      </div>
      {config.loading ? (
        <div className="card">
          <LoadingState text={`Loading the ${what}…`} />
        </div>
      ) : config.error && !config.data ? (
        <div className="card">
          <ErrorState error={config.error} onRetry={() => void config.reload()} />
        </div>
      ) : !found ? (
        <div className="card">
          <EmptyState icon="search" title={`This ${what} is gone`}>
            Someone may have deleted it. <Link to="/admin/service-levels">Back to service levels</Link>
          </EmptyState>
        </div>
      ) : (
        children
      )}
    </div>
  );
}
