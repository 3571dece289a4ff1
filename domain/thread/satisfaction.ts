import { z } from 'zod';
import { tokenHashSchema, tokenSeedSchema } from '../guestLink/vocabulary.js';
import { authorSchema, isoTimestamp } from '../shared.js';

/*
 * The satisfaction survey (CSAT). When a thread a partner or guest raised is resolved, its raiser
 * is asked how it went, through a link of its own: random, only its hash and seed recorded,
 * expiring, answerable (and re-answerable) until then. Both events live on the thread's stream.
 */

/** Good / okay / bad, or 1 to 5: what an admin chooses in the system config. */
export const satisfactionScales = ['three', 'five'] as const;
export const satisfactionScaleSchema = z.enum(satisfactionScales, { error: "must be 'three' or 'five'" });
export type SatisfactionScale = z.infer<typeof satisfactionScaleSchema>;

export const threePointRatings = ['good', 'okay', 'bad'] as const;
export const fivePointRatings = [1, 2, 3, 4, 5] as const;
export type ThreePointRating = (typeof threePointRatings)[number];

/** Any rating of either scale; the decider checks it against the survey's own scale. */
export const satisfactionRatingSchema = z.union(
  [
    z.enum(threePointRatings),
    z
      .number()
      .int()
      .min(fivePointRatings[0])
      .max(fivePointRatings[fivePointRatings.length - 1]!),
  ],
  { error: "must be 'good', 'okay' or 'bad', or a whole number from 1 to 5" },
);
/** good / okay / bad, or a whole number from 1 to 5. */
export type SatisfactionRating = z.infer<typeof satisfactionRatingSchema>;

/** The ratings a scale takes, in the order a page shows them (best first). */
export function ratingsOf(scale: SatisfactionScale): readonly SatisfactionRating[] {
  return scale === 'three' ? threePointRatings : [...fivePointRatings].reverse();
}

export function ratingFitsScale(rating: SatisfactionRating, scale: SatisfactionScale): boolean {
  return (ratingsOf(scale) as readonly unknown[]).includes(rating);
}

export const SATISFACTION_COMMENT_MAX = 2000;
export const SATISFACTION_LINK_DAYS_MIN = 1;
export const SATISFACTION_LINK_DAYS_MAX = 90;
export const DEFAULT_SATISFACTION_LINK_DAYS = 14;

/** A comment as a person types it: trimmed, bounded; empty means none. */
export const satisfactionCommentSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .max(SATISFACTION_COMMENT_MAX, { error: `must be at most ${SATISFACTION_COMMENT_MAX} characters` })
  .transform((text) => (text === '' ? null : text));

/** Who is asked: the partner or guest who raised the thread (a guest's id is their link's token hash). */
export const surveyRecipientSchema = z.object({
  kind: z.enum(['partner', 'guest']),
  id: z.string().min(1),
  name: z.string(),
});
export type SurveyRecipient = z.infer<typeof surveyRecipientSchema>;

/**
 * What the command layer adds to a Resolve when the survey is switched on: the survey's id, the
 * seed its token is derived from and the token's hash (never the token), the scale and the expiry.
 */
export const surveyOfferSchema = z.object({
  surveyId: z.uuid({ error: 'must be a UUID' }),
  tokenSeed: tokenSeedSchema,
  tokenHash: tokenHashSchema,
  scale: satisfactionScaleSchema,
  expiresAt: isoTimestamp,
});
export type SurveyOffer = z.infer<typeof surveyOfferSchema>;

export const satisfactionSurveyOfferedData = z.object({
  threadId: z.guid(),
  surveyId: z.guid(),
  tokenSeed: tokenSeedSchema,
  tokenHash: tokenHashSchema,
  recipient: surveyRecipientSchema,
  scale: satisfactionScaleSchema,
  expiresAt: isoTimestamp,
  by: authorSchema,
  occurredAt: isoTimestamp,
});

export const satisfactionRatedData = z.object({
  threadId: z.guid(),
  surveyId: z.guid(),
  rating: satisfactionRatingSchema,
  comment: z.string().min(1).max(SATISFACTION_COMMENT_MAX).nullable(),
  /** The survey's recipient: the partner or guest who raised the thread. */
  by: authorSchema,
  occurredAt: isoTimestamp,
});

export const satisfactionSurveyOfferedEvent = z.object({
  type: z.literal('SatisfactionSurveyOffered'),
  data: satisfactionSurveyOfferedData,
});
export const satisfactionRatedEvent = z.object({ type: z.literal('SatisfactionRated'), data: satisfactionRatedData });

export type SatisfactionSurveyOffered = z.infer<typeof satisfactionSurveyOfferedEvent>;
export type SatisfactionRated = z.infer<typeof satisfactionRatedEvent>;

/** One survey of a thread as its events leave it: the latest rating counts. */
export interface SatisfactionSurvey {
  surveyId: string;
  tokenHash: string;
  tokenSeed: string;
  recipient: SurveyRecipient;
  scale: SatisfactionScale;
  offeredAt: string;
  expiresAt: string;
  rating: SatisfactionRating | null;
  comment: string | null;
  ratedAt: string | null;
  /** How many times it was answered (the latest counts). */
  answers: number;
}

/** Folds one satisfaction event onto a thread's surveys (by survey id); a stray rating changes nothing. */
export function evolveSurveys(
  surveys: Readonly<Record<string, SatisfactionSurvey>>,
  event: SatisfactionSurveyOffered | SatisfactionRated,
): Readonly<Record<string, SatisfactionSurvey>> {
  if (event.type === 'SatisfactionSurveyOffered') {
    const d = event.data;
    if (surveys[d.surveyId]) return surveys;
    return {
      ...surveys,
      [d.surveyId]: {
        surveyId: d.surveyId,
        tokenHash: d.tokenHash,
        tokenSeed: d.tokenSeed,
        recipient: d.recipient,
        scale: d.scale,
        offeredAt: d.occurredAt,
        expiresAt: d.expiresAt,
        rating: null,
        comment: null,
        ratedAt: null,
        answers: 0,
      },
    };
  }
  const survey = surveys[event.data.surveyId];
  if (!survey) return surveys;
  return {
    ...surveys,
    [survey.surveyId]: {
      ...survey,
      rating: event.data.rating,
      comment: event.data.comment,
      ratedAt: event.data.occurredAt,
      answers: survey.answers + 1,
    },
  };
}

/** The survey whose token hashes to `tokenHash`, if the thread has one. */
export function surveyByTokenHash(
  surveys: Readonly<Record<string, SatisfactionSurvey>>,
  tokenHash: string,
): SatisfactionSurvey | undefined {
  return Object.values(surveys).find((s) => s.tokenHash === tokenHash);
}

/** Whether a survey still takes answers at `now`: until its expiry instant, not from it. */
export function surveyIsOpen(survey: Pick<SatisfactionSurvey, 'expiresAt'>, now: Date): boolean {
  return now.getTime() < Date.parse(survey.expiresAt);
}

/** The latest survey offered (the one a thread's drawer shows first), or undefined. */
export function latestSurvey(surveys: Readonly<Record<string, SatisfactionSurvey>>): SatisfactionSurvey | undefined {
  return Object.values(surveys).reduce<SatisfactionSurvey | undefined>(
    (latest, s) => (!latest || s.offeredAt >= latest.offeredAt ? s : latest),
    undefined,
  );
}
