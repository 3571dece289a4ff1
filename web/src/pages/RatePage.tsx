import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useLocation, useParams, useSearchParams } from 'react-router-dom';
import { Icon } from '../components/Icon';
import { Alert, Button, LoadingState } from '../components/ui';
import { ApiError, api, errorText } from '../lib/api';
import { formatDateTime } from '../lib/format';
import { queryKeys } from '../lib/queryKeys';
import { ratingFromLink, ratingWords } from '../lib/satisfaction';
import type { PublicSurvey, SatisfactionRatedAnswer, SatisfactionRating } from '../lib/types';
import { useDeskQuery } from '../lib/useDeskQuery';

const COMMENT_MAX = 2000;

function Header() {
  return (
    <header className="app-header">
      <span className="brand">
        <span className="brand-mark">
          <Icon name="message" size={16} />
        </span>
        <span>Support Desk</span>
      </span>
    </header>
  );
}

/**
 * /rate/:token: the satisfaction survey a resolution emailed, without signing in. Opening it
 * records nothing (mail scanners open links too): a one-click link (`?rating=good`) shows that
 * answer chosen and records it from the page, with PUT. The answer can be changed, and a comment
 * added, until the survey closes.
 */
export function RatePage() {
  const { token = '' } = useParams();
  const [params] = useSearchParams();
  const location = useLocation();
  const survey = useDeskQuery({
    queryKey: queryKeys.satisfactionSurvey(token),
    read: (signal) => api.get<PublicSurvey>(`/api/public/satisfaction/${encodeURIComponent(token)}`, { signal }),
  });
  const [choice, setChoice] = useState<SatisfactionRating | null>(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<'clicked' | 'saved' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const clicked = useRef(false);
  const commentBox = useRef<HTMLTextAreaElement>(null);
  const data = survey.data;

  async function record(rating: SatisfactionRating, withComment: string | undefined, how: 'clicked' | 'saved') {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.put<SatisfactionRatedAnswer>(`/api/public/satisfaction/${encodeURIComponent(token)}`, {
        rating,
        ...(withComment === undefined ? {} : { comment: withComment }),
      });
      survey.setData(() => answer);
      setChoice(answer.rating);
      setComment(answer.comment ?? '');
      setSaved(how);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  // the survey as recorded fills the form once; a one-click link's rating is recorded from here
  useEffect(() => {
    if (!data || clicked.current) return;
    clicked.current = true;
    setChoice(data.rating);
    setComment(data.comment ?? '');
    const fromLink = ratingFromLink(params.get('rating'), data.ratings);
    if (fromLink !== null && data.open) {
      setChoice(fromLink);
      if (fromLink !== data.rating) void record(fromLink, undefined, 'clicked');
      else setSaved('clicked');
    }
    if (location.hash === '#comment') commentBox.current?.focus();
    // record() and the link's inputs are read once, when the survey first arrives
  }, [data]);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (choice === null) {
      setError(new Error('Choose an answer first.'));
      return;
    }
    void record(choice, comment.trim(), 'saved');
  }

  if (survey.error) {
    const gone = survey.error instanceof ApiError && survey.error.status === 404;
    return (
      <>
        <Header />
        <main id="main" className="center-page">
          <div className="card center-card" data-testid="survey-not-found">
            <span className="state-icon">
              <Icon name="lock" size={24} />
            </span>
            <h1>{gone ? 'This survey link does not work' : 'The survey could not be loaded'}</h1>
            <p>{gone ? 'Check that the whole link was copied from the email.' : errorText(survey.error)}</p>
          </div>
        </main>
      </>
    );
  }
  if (!data) {
    return (
      <>
        <Header />
        <LoadingState text="Loading the survey…" />
      </>
    );
  }

  const closedWords = data.rating === null ? 'No answer was given.' : `Your answer: ${ratingWords(data.rating)}.`;
  return (
    <>
      <Header />
      <main id="main" className="center-page">
        <div className="card center-card" style={{ textAlign: 'left', maxWidth: 560 }} data-testid="rate-page">
          <h1>How did we do?</h1>
          <p className="muted">
            Your query about assignment {data.reference}: “{data.subject}”
          </p>
          {!data.open ? (
            <Alert kind="info" title="This survey has closed">
              {closedWords}
              {data.comment ? ` Your comment: “${data.comment}”` : ''} Thank you all the same.
            </Alert>
          ) : (
            <form onSubmit={submit} noValidate>
              {saved ? (
                <Alert kind="success" title="Thank you">
                  We recorded your answer{data.rating !== null ? `: ${ratingWords(data.rating)}` : ''}. You can change
                  it or add a comment until {formatDateTime(data.expiresAt)}.
                </Alert>
              ) : null}
              <fieldset className="field" style={{ border: 0, padding: 0, margin: '16px 0' }}>
                <legend className="field-label">
                  {data.scale === 'five' ? 'Your rating, from 1 (worst) to 5 (best)' : 'Your rating'}
                </legend>
                <div role="radiogroup" style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
                  {data.ratings.map((rating) => (
                    <label key={String(rating)} className="btn" data-rating={String(rating)}>
                      <input
                        type="radio"
                        name="rating"
                        value={String(rating)}
                        checked={choice === rating}
                        onChange={() => setChoice(rating)}
                      />{' '}
                      {ratingWords(rating)}
                    </label>
                  ))}
                </div>
              </fieldset>
              <div className="field">
                <label className="field-label" htmlFor="comment">
                  A comment <span className="muted">(optional)</span>
                </label>
                <textarea
                  id="comment"
                  ref={commentBox}
                  className="input"
                  rows={4}
                  maxLength={COMMENT_MAX}
                  value={comment}
                  onChange={(e) => setComment(e.target.value)}
                  aria-describedby="comment-hint"
                />
                <span className="field-hint" id="comment-hint">
                  What went well, or what we could do better. Up to {COMMENT_MAX} characters.
                </span>
              </div>
              {error ? (
                <Alert kind="error" title="Not saved">
                  {errorText(error)}
                </Alert>
              ) : null}
              <div style={{ display: 'flex', justifyContent: 'flex-end', marginTop: 12 }}>
                <Button type="submit" variant="primary" busy={busy}>
                  {data.rating === null ? 'Send answer' : 'Save changes'}
                </Button>
              </div>
            </form>
          )}
        </div>
      </main>
    </>
  );
}
