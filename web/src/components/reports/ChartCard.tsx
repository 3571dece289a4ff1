import { useId, type ReactNode } from 'react';
import { Icon } from '../Icon';

export interface ChartTable {
  columns: string[];
  rows: (string | number)[][];
}

/**
 * One chart of the reports page: a heading, a sentence on what it shows, the chart (drawn by
 * recharts), the same figures as a table for screen readers, and a link that downloads them as CSV.
 */
export function ChartCard({
  title,
  description,
  csvHref,
  table,
  empty,
  children,
  testId,
}: {
  title: string;
  description: string;
  /** The chart's CSV, with the page's filters. */
  csvHref: string;
  table: ChartTable;
  /** Shown instead of the chart when there is nothing to draw. */
  empty?: string | false;
  children: ReactNode;
  testId: string;
}) {
  const headingId = useId();
  const descriptionId = useId();
  return (
    <section className="card report-card" aria-labelledby={headingId} data-testid={testId}>
      <div className="card-header">
        <div>
          <h2 id={headingId} className="report-card-title">
            {title}
          </h2>
          <p id={descriptionId} className="muted report-card-description">
            {description}
          </p>
        </div>
        <span className="spacer" />
        <a className="btn btn-sm" href={csvHref} download aria-label={`Download “${title}” as CSV`}>
          <Icon name="download" />
          CSV
        </a>
      </div>
      <div className="card-body">
        {empty ? (
          <p className="muted report-empty">{empty}</p>
        ) : (
          <figure className="report-figure" aria-labelledby={headingId} aria-describedby={descriptionId}>
            <div aria-hidden="true">{children}</div>
            <table className="visually-hidden">
              <caption>{title}</caption>
              <thead>
                <tr>
                  {table.columns.map((c) => (
                    <th key={c} scope="col">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.rows.map((row, i) => (
                  <tr key={i}>
                    {row.map((cell, j) => (
                      <td key={j}>{cell}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </figure>
        )}
      </div>
    </section>
  );
}
