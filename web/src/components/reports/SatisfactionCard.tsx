import { formatDateTime, label } from '../../lib/format';
import type { Report } from '../../lib/types';
import { Icon } from '../Icon';
import { ChartCard } from './ChartCard';
import { ColumnChart } from './ReportCharts';

type Satisfaction = Report['satisfaction'];

const ratingText = (rating: string) => (/^\d$/.test(rating) ? `${rating} of 5` : label(rating));

/** What partners said in the satisfaction survey: the ratings drawn, and the latest comments. */
export function SatisfactionCard({
  data,
  csvHref,
  commentsHref,
}: {
  data: Satisfaction;
  csvHref: string;
  commentsHref: string;
}) {
  const bars = [
    ...(data.good + data.okay + data.bad > 0
      ? [
          { name: 'Good', threads: data.good },
          { name: 'Okay', threads: data.okay },
          { name: 'Bad', threads: data.bad },
        ]
      : []),
    ...(data.fivePoint.some((n) => n > 0) ? data.fivePoint.map((n, i) => ({ name: `${i + 1} of 5`, threads: n })) : []),
  ];
  const share = data.goodShare === null ? null : `${Math.round(data.goodShare * 100)}% rated good`;
  const mean = data.meanScore === null ? null : `a mean of ${data.meanScore.toFixed(1)} of 5`;
  return (
    <ChartCard
      testId="chart-satisfaction"
      title="Satisfaction"
      description={`${data.rated} of ${data.offered} surveys answered${[share, mean].filter(Boolean).length ? `: ${[share, mean].filter(Boolean).join(', ')}` : ''}. The latest answer of each thread counts.`}
      csvHref={csvHref}
      table={{ columns: ['Rating', 'Threads'], rows: bars.map((b) => [b.name, b.threads]) }}
      empty={data.rated === 0 ? 'No survey was answered for the threads of this period.' : false}
    >
      <ColumnChart data={bars} height={180} />
      {data.comments.length ? (
        <div className="report-comments">
          <div className="report-comments-head">
            <h3>Latest comments</h3>
            <a className="btn btn-sm btn-ghost" href={commentsHref} download aria-label="Download the comments as CSV">
              <Icon name="download" />
              CSV
            </a>
          </div>
          <ul data-testid="satisfaction-comments">
            {data.comments.map((c) => (
              <li key={`${c.threadId}-${c.ratedAt}`}>
                <span className="badge">{ratingText(c.rating)}</span> <q>{c.comment}</q>{' '}
                <span className="muted">{formatDateTime(c.ratedAt)}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </ChartCard>
  );
}
