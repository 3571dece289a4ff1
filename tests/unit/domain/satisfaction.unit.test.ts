import { describe, expect, it } from 'vitest';
import {
  parseCommandData,
  rateSatisfactionData,
  type Author,
  type RateSatisfaction,
  type Resolve,
  type SatisfactionRated,
  type SatisfactionRating,
  type SatisfactionScale,
  type SatisfactionSurveyOffered,
  type SurveyOffer,
  type ThreadEvent,
} from '../../../domain/index.js';
import { at, by, guest, iso, partner, staff, system } from './fixtures.js';
import { refusal } from './spec.js';
import { queryRaised, threadReopened, threadResolved, threadId, threadSpec as spec } from './threadFixtures.js';

const DAY = 24 * 60;
const resolvedAt = 20;

function offer(n = 1, scale: SatisfactionScale = 'three', expiresInMinutes = 14 * DAY): SurveyOffer {
  return {
    surveyId: `00000000-0000-4000-8000-00000000010${n}`,
    tokenSeed: `seed${n}`.padEnd(22, 'x'),
    tokenHash: String(n).repeat(64),
    scale,
    expiresAt: iso(resolvedAt + expiresInMinutes),
  };
}

const resolve = (survey?: SurveyOffer, author: Author = staff, minutes = resolvedAt): Resolve => ({
  type: 'Resolve',
  data: { threadId, ...(survey ? { survey } : {}) },
  metadata: by(author, minutes),
});

function offered(survey: SurveyOffer, recipient: Author = partner, minutes = resolvedAt): SatisfactionSurveyOffered {
  return {
    type: 'SatisfactionSurveyOffered',
    data: {
      threadId,
      surveyId: survey.surveyId,
      tokenSeed: survey.tokenSeed,
      tokenHash: survey.tokenHash,
      recipient: { kind: recipient.kind as 'partner' | 'guest', id: recipient.id, name: recipient.name },
      scale: survey.scale,
      expiresAt: survey.expiresAt,
      by: staff,
      occurredAt: iso(minutes),
    },
  };
}

/** The rating page's command, parsed at the edge like every command. */
function rate(
  survey: SurveyOffer,
  answer: { rating: unknown; comment?: unknown },
  minutes: number,
  author: Author = partner,
): RateSatisfaction {
  return {
    type: 'RateSatisfaction',
    data: parseCommandData('RateSatisfaction', rateSatisfactionData, {
      threadId,
      tokenHash: survey.tokenHash,
      ...answer,
    }),
    metadata: by(author, minutes),
  };
}

function rated(
  survey: SurveyOffer,
  rating: SatisfactionRating,
  comment: string | null,
  minutes: number,
  author: Author = partner,
): SatisfactionRated {
  return {
    type: 'SatisfactionRated',
    data: { threadId, surveyId: survey.surveyId, rating, comment, by: author, occurredAt: iso(minutes) },
  };
}

const raisedByPartner: ThreadEvent[] = [queryRaised(partner)];
const surveyed = (survey = offer()): ThreadEvent[] => [
  ...raisedByPartner,
  threadResolved('OPEN', resolvedAt),
  offered(survey),
];

describe('Resolve offers a satisfaction survey', () => {
  it('when a thread a partner raised is resolved with the survey on, then the partner is offered it with the resolution', () => {
    spec
      .given(raisedByPartner)
      .when(resolve(offer()))
      .then([threadResolved('OPEN', resolvedAt), offered(offer())]);
  });

  it('when a thread a guest raised is resolved, then the guest (their link) is asked', () => {
    spec
      .given([queryRaised(guest)])
      .when(resolve(offer()))
      .then([threadResolved('OPEN', resolvedAt), offered(offer(), guest)]);
  });

  it('when a thread staff raised for someone is resolved, then nobody is asked', () => {
    spec
      .given([queryRaised(staff)])
      .when(resolve(offer()))
      .then([threadResolved('OPEN', resolvedAt)]);
  });

  it('when the survey is off (the command carries none), then only the resolution is recorded', () => {
    spec
      .given(raisedByPartner)
      .when(resolve())
      .then([threadResolved('OPEN', resolvedAt)]);
  });

  it('when the system resolves (automation), then the survey is offered by it', () => {
    const event = offered(offer());
    spec
      .given(raisedByPartner)
      .when(resolve(offer(), system))
      .then([threadResolved('OPEN', resolvedAt, system), { ...event, data: { ...event.data, by: system } }]);
  });

  it('when a reopened thread is resolved again, then a new survey is offered, and the first keeps its answer', () => {
    const history = [...surveyed(offer(1)), rated(offer(1), 'bad', null, 30), threadReopened('RESOLVED', 40)];
    spec
      .given(history)
      .when(resolve(offer(2), staff, 50))
      .then([threadResolved('OPEN', 50), offered(offer(2), partner, 50)]);
    const after = spec.given([...history, threadResolved('OPEN', 50), offered(offer(2), partner, 50)]).state();
    if (after.status === 'EMPTY') throw new Error('raised');
    expect(Object.values(after.surveys).map((s) => [s.surveyId, s.rating])).toEqual([
      [offer(1).surveyId, 'bad'],
      [offer(2).surveyId, null],
    ]);
  });

  it('when the survey id was used before, or the expiry is not later than now, then it is refused', () => {
    spec
      .given([...surveyed(offer(1)), threadReopened('RESOLVED', 40)])
      .when(resolve(offer(1), staff, 50))
      .thenThrows('conflict', 'invalid_command');
    const error = spec
      .given(raisedByPartner)
      .when(resolve(offer(1, 'three', 0)))
      .thenThrows('rule', 'invalid_command');
    expect(error.details.issues).toEqual([{ path: 'survey.expiresAt', message: 'must be later than now' }]);
  });
});

describe('RateSatisfaction', () => {
  it('when the partner rates good with a comment, then it is recorded as theirs, the comment trimmed', () => {
    spec
      .given(surveyed())
      .when(rate(offer(), { rating: 'good', comment: '  Quick and clear.  ' }, 30))
      .then([rated(offer(), 'good', 'Quick and clear.', 30)]);
  });

  it('when the guest who raised it rates, then it is recorded as the guest', () => {
    spec
      .given([queryRaised(guest), threadResolved('OPEN', resolvedAt), offered(offer(), guest)])
      .when(rate(offer(), { rating: 'okay' }, 30, guest))
      .then([rated(offer(), 'okay', null, 30, guest)]);
  });

  it('when the answer is changed within the expiry, then a new event replaces it; omitting the comment keeps it', () => {
    const history = [...surveyed(), rated(offer(), 'bad', 'Slow.', 30)];
    spec
      .given(history)
      .when(rate(offer(), { rating: 'okay' }, 40))
      .then([rated(offer(), 'okay', 'Slow.', 40)]);
    spec
      .given(history)
      .when(rate(offer(), { rating: 'bad', comment: '' }, 40))
      .then([rated(offer(), 'bad', null, 40)]);
    const state = spec.given([...history, rated(offer(), 'good', 'Better now', 45)]).state();
    if (state.status === 'EMPTY') throw new Error('raised');
    expect(state.surveys[offer().surveyId]).toMatchObject({
      rating: 'good',
      comment: 'Better now',
      ratedAt: iso(45),
      answers: 2,
    });
  });

  it('when the same answer comes again (a page reloaded), then nothing happens', () => {
    spec
      .given([...surveyed(), rated(offer(), 'good', 'Fine', 30)])
      .when(rate(offer(), { rating: 'good' }, 35))
      .thenNothingHappens();
  });

  it('when the survey has expired, then it is refused, at the expiry instant too', () => {
    const expiry = resolvedAt + 14 * DAY;
    spec
      .given(surveyed())
      .when(rate(offer(), { rating: 'good' }, expiry))
      .thenThrows('rule', 'survey_expired');
    spec
      .given(surveyed())
      .when(rate(offer(), { rating: 'good' }, expiry - 1))
      .then([rated(offer(), 'good', null, expiry - 1)]);
  });

  it('when a closed thread’s survey is answered before it expires, then it is recorded', () => {
    spec
      .given([
        ...surveyed(),
        { type: 'ThreadClosed', data: { threadId, statusBefore: 'RESOLVED', by: staff, occurredAt: iso(25) } },
      ])
      .when(rate(offer(), { rating: 'okay' }, 30))
      .then([rated(offer(), 'okay', null, 30)]);
  });

  it.each<[SatisfactionScale, unknown, string]>([
    ['three', 4, 'must be one of good, okay, bad'],
    ['five', 'good', 'must be one of 5, 4, 3, 2, 1'],
  ])('when a %s-point survey gets %j, then it is refused naming the rating', (scale, rating, message) => {
    const error = spec
      .given(surveyed(offer(1, scale)))
      .when(rate(offer(1, scale), { rating }, 30))
      .thenThrows('rule', 'invalid_command');
    expect(error.details.issues).toEqual([{ path: 'rating', message }]);
  });

  it('when a five-point survey gets 4, then it is recorded', () => {
    spec
      .given(surveyed(offer(1, 'five')))
      .when(rate(offer(1, 'five'), { rating: 4 }, 30))
      .then([rated(offer(1, 'five'), 4, null, 30)]);
  });

  it('when the token matches no survey of the thread, then it is not found', () => {
    spec
      .given(surveyed(offer(1)))
      .when(rate(offer(2), { rating: 'good' }, 30))
      .thenThrows('not_found', 'survey_not_found');
  });

  it('when someone other than the person asked answers, then it is forbidden', () => {
    spec
      .given(surveyed())
      .when(rate(offer(), { rating: 'good' }, 30, staff))
      .thenThrows('forbidden', 'author_not_allowed');
  });

  it.each([
    ['a rating of 6', { rating: 6 }, 'rating'],
    ['a rating of 2.5', { rating: 2.5 }, 'rating'],
    ['no rating', {}, 'rating'],
    ['a comment of 2001 characters', { rating: 'good', comment: 'x'.repeat(2001) }, 'comment'],
    ['a comment that is a number', { rating: 'good', comment: 7 }, 'comment'],
  ])('when %s is sent, then the edge refuses it naming the field', (_what, answer, path) => {
    const error = refusal(() => rate(offer(), answer as { rating: unknown }, 30));
    expect(error.details.issues?.map((i) => i.path)).toEqual([path]);
  });

  it('a survey is open until its expiry instant', () => {
    const state = spec.given(surveyed()).state();
    if (state.status === 'EMPTY') throw new Error('raised');
    const survey = state.surveys[offer().surveyId]!;
    expect(Date.parse(survey.expiresAt)).toBe(at(resolvedAt + 14 * DAY).getTime());
  });
});
