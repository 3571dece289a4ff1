import { describe, expect, it } from 'vitest';
import { ratingFromLink, ratingTone, ratingWords, satisfactionEventSummary } from '../../../web/src/lib/satisfaction';

/** How the web app says a survey's answers, and which one-click links it takes. */
describe('satisfaction words', () => {
  it('says each rating as the email does', () => {
    expect(['good', 'okay', 'bad'].map((r) => ratingWords(r as 'good'))).toEqual(['Good', 'Okay', 'Bad']);
    expect([5, 4, 3, 2, 1].map(ratingWords)).toEqual(['5 (best)', '4', '3', '2', '1 (worst)']);
    expect([5, 3, 1, 'good', 'okay', 'bad'].map((r) => ratingTone(r as 'good'))).toEqual([
      'good',
      'okay',
      'bad',
      'good',
      'okay',
      'bad',
    ]);
  });

  it('takes a one-click link’s rating only when it is one of the survey’s', () => {
    expect(ratingFromLink('good', ['good', 'okay', 'bad'])).toBe('good');
    expect(ratingFromLink('4', [5, 4, 3, 2, 1])).toBe(4);
    expect(ratingFromLink('4', ['good', 'okay', 'bad'])).toBeNull();
    expect(ratingFromLink('great', ['good', 'okay', 'bad'])).toBeNull();
    expect(ratingFromLink(null, ['good'])).toBeNull();
  });

  it('writes the audit history’s lines for the survey’s events, and nothing for others', () => {
    expect(
      satisfactionEventSummary('SatisfactionRated', { rating: 'bad', comment: 'Took a week', by: { name: 'Pat' } }),
    ).toBe('Rated Bad · “Took a week”');
    expect(satisfactionEventSummary('SatisfactionRated', { rating: 5, comment: null })).toBe('Rated 5 (best)');
    expect(
      satisfactionEventSummary('SatisfactionSurveyOffered', {
        recipient: { kind: 'partner', name: 'Pat Partner' },
        scale: 'five',
        expiresAt: '2026-12-16T00:00:00.000Z',
      }),
    ).toContain('offered to Pat Partner (partner, 1 to 5)');
    expect(satisfactionEventSummary('ThreadResolved', {})).toBeUndefined();
  });
});
