import { formatDateTime } from './format';
import type { SatisfactionRating } from './types';

/*
 * How the satisfaction survey's answers read, everywhere the app shows them (the rating page,
 * the staff drawer, the audit history): the same words as the survey's email.
 */

const threePoint: Record<string, string> = { good: 'Good', okay: 'Okay', bad: 'Bad' };

/** Good, Okay, Bad; 5 (best) … 1 (worst). */
export function ratingWords(rating: SatisfactionRating): string {
  if (typeof rating === 'number') return rating === 5 ? '5 (best)' : rating === 1 ? '1 (worst)' : String(rating);
  return threePoint[rating] ?? String(rating);
}

/** A rating's tone for its badge: green for the top, red for the bottom. */
export function ratingTone(rating: SatisfactionRating): 'good' | 'okay' | 'bad' {
  if (rating === 'good' || rating === 5 || rating === 4) return 'good';
  if (rating === 'bad' || rating === 1 || rating === 2) return 'bad';
  return 'okay';
}

/** A rating from the one-click link's `?rating=`, if it is one of the survey's. */
export function ratingFromLink(
  value: string | null,
  ratings: readonly SatisfactionRating[],
): SatisfactionRating | null {
  if (value === null) return null;
  return ratings.find((r) => String(r) === value) ?? null;
}

/** The audit history's line for a survey event, or undefined for any other event. */
export function satisfactionEventSummary(type: string, data: Record<string, unknown>): string | undefined {
  if (type === 'SatisfactionSurveyOffered') {
    const recipient = data.recipient as { name?: string; kind?: string } | undefined;
    const scale = data.scale === 'five' ? '1 to 5' : 'good / okay / bad';
    return `Satisfaction survey offered to ${recipient?.name ?? 'the raiser'} (${recipient?.kind ?? ''}, ${scale}), open until ${formatDateTime(typeof data.expiresAt === 'string' ? data.expiresAt : null)}`;
  }
  if (type === 'SatisfactionRated') {
    const rating = data.rating as SatisfactionRating;
    const comment =
      typeof data.comment === 'string'
        ? ` · “${data.comment.slice(0, 120)}${data.comment.length > 120 ? '…' : ''}”`
        : '';
    return `Rated ${ratingWords(rating)}${comment}`;
  }
  return undefined;
}
