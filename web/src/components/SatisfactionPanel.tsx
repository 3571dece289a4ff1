import { api } from '../lib/api';
import { formatDateTime } from '../lib/format';
import { queryKeys } from '../lib/queryKeys';
import { ratingTone, ratingWords } from '../lib/satisfaction';
import type { SatisfactionSurvey, ThreadSatisfaction } from '../lib/types';
import { useDeskQuery } from '../lib/useDeskQuery';
import { Icon } from './Icon';

const toneBadge = { good: 'badge-green', okay: 'badge-amber', bad: 'badge-red' } as const;

/**
 * The thread's satisfaction surveys in the staff drawer: the latest answer (rating and comment)
 * first, then earlier resolutions' answers. Read again at each new revision of the thread, so a
 * rating that arrives while the drawer is open shows with the live push that announced it.
 */
export function SatisfactionPanel({ threadId, revision }: { threadId: string; revision: number }) {
  const surveys = useDeskQuery({
    queryKey: queryKeys.threadSatisfaction(threadId, revision),
    read: (signal) => api.get<ThreadSatisfaction>(`/api/support/threads/${threadId}/satisfaction`, { signal }),
  });
  const list = surveys.data?.surveys ?? [];
  if (list.length === 0) return null;
  const [latest, ...earlier] = list;
  return (
    <section className="section" aria-label="Satisfaction" data-testid="satisfaction-panel">
      <h3 className="section-title">
        <Icon name="checkCircle" size={13} />
        Satisfaction
      </h3>
      <SurveyLine survey={latest!} />
      {earlier.length ? (
        <details className="small">
          <summary>Earlier resolutions · {earlier.length}</summary>
          {earlier.map((s) => (
            <SurveyLine key={s.surveyId} survey={s} />
          ))}
        </details>
      ) : null}
    </section>
  );
}

function SurveyLine({ survey }: { survey: SatisfactionSurvey }) {
  const scale = survey.scale === 'five' ? '1 to 5' : 'good, okay or bad';
  return (
    <div className="card" style={{ padding: 12, marginBottom: 8 }} data-survey={survey.surveyId}>
      {survey.rating === null ? (
        <p className="small muted" style={{ margin: 0 }}>
          Asked {survey.recipient.name} on {formatDateTime(survey.offeredAt)} ({scale}); no answer yet.{' '}
          {survey.open ? `Open until ${formatDateTime(survey.expiresAt)}.` : 'The survey has closed.'}
        </p>
      ) : (
        <>
          <p style={{ margin: 0 }}>
            <span className={`badge ${toneBadge[ratingTone(survey.rating)]}`} data-testid="satisfaction-rating">
              {ratingWords(survey.rating)}
            </span>{' '}
            <span className="small muted">
              from {survey.recipient.name} ({survey.recipient.kind}), {formatDateTime(survey.ratedAt)}
              {survey.answers > 1 ? ` · changed ${survey.answers - 1}×` : ''}
            </span>
          </p>
          {survey.comment ? (
            <blockquote className="small" style={{ margin: '8px 0 0' }} data-testid="satisfaction-comment">
              {survey.comment}
            </blockquote>
          ) : null}
        </>
      )}
    </div>
  );
}
