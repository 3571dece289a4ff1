import { z } from 'zod';
import {
  rateSatisfactionInput,
  ratingsOf,
  satisfactionRatingSchema,
  satisfactionScaleSchema,
  surveyByTokenHash,
  surveyIsOpen,
  threadDecider,
  threadStreamName,
  type RaisedThread,
  type SatisfactionSurvey,
} from '../../domain/index.js';
import { plainWords } from '../../platform/http/plainWords.js';
import { problems } from '../../platform/http/problem.js';
import { implement, routeContract, type AnyRoute, type RouteContext } from '../../platform/http/route.js';
import { rateLimitKey, type RateLimiter } from '../../platform/identity/rateLimiter.js';
import type { CommandDependencies } from '../commandContext.js';
import { handleCommand, loadStream } from '../commandHandler.js';
import { authorizeThread } from '../threads/threadAccess.js';
import { hashSurveyToken, threadIdOfSurveyToken } from './satisfactionToken.js';

/*
 * The satisfaction survey's routes. The rating page is public: its link's token is the only key,
 * in the path (it never goes into logs: the request log records the route, not the path). GET
 * changes nothing (mail scanners open links); the page records an answer with PUT. Staff read a
 * thread's surveys and their answers beside the thread.
 */

/** Every use of a token counts, valid or not, in the same bucket as guest tokens: guessing meets one wall per address. */
const TOKEN_USES = { limit: 120, windowSeconds: 60 };

const tokenParams = z.object({
  token: z.string().max(200).meta({ description: 'The token of the survey link (`<portal>/rate/<token>`)' }),
});

const ratingSchema = satisfactionRatingSchema.meta({
  description: "'good', 'okay' or 'bad' on the three-point scale; 1 (worst) to 5 (best) on the five-point one",
});

const publicSurveyView = z
  .object({
    subject: z.string().meta({ description: 'The thread the survey asks about' }),
    reference: z.string().meta({ description: 'Its assignment reference, e.g. A-1001' }),
    scale: satisfactionScaleSchema,
    ratings: z.array(ratingSchema).meta({ description: 'The answers the scale takes, best first' }),
    rating: ratingSchema.nullable().meta({ description: 'The answer recorded (the latest); null: none yet' }),
    comment: z.string().nullable(),
    ratedAt: z.string().nullable(),
    expiresAt: z.string().meta({ description: 'Answers (and changes to them) are taken until then' }),
    open: z.boolean().meta({ description: 'false once the survey has expired: the answer stays as it was' }),
  })
  .meta({ id: 'SatisfactionSurveyPublic' });

const ratedAnswer = publicSurveyView
  .extend({ revision: z.number().int(), position: z.string().nullable() })
  .meta({ id: 'SatisfactionRatedAnswer' });

export const staffSurveyView = z
  .object({
    surveyId: z.string(),
    recipient: z.object({ kind: z.enum(['partner', 'guest']), id: z.string(), name: z.string() }),
    scale: satisfactionScaleSchema,
    offeredAt: z.string(),
    expiresAt: z.string(),
    open: z.boolean(),
    rating: ratingSchema.nullable(),
    comment: z.string().nullable(),
    ratedAt: z.string().nullable(),
    answers: z.number().int().meta({ description: 'How many times it was answered; the latest counts' }),
  })
  .meta({ id: 'SatisfactionSurvey' });

const threadSurveys = z
  .object({
    threadId: z.string(),
    surveys: z.array(staffSurveyView).meta({ description: 'One per resolution that asked, the latest first' }),
  })
  .meta({ id: 'ThreadSatisfaction' });

export const getSatisfactionSurvey = routeContract({
  method: 'get',
  path: '/api/public/satisfaction/:token',
  operationId: 'getSatisfactionSurvey',
  summary: 'The satisfaction survey a link opens: what it asks about, the scale and the answer recorded',
  description:
    'Changes nothing (mail scanners prefetch links): the rating page records an answer with PUT. An unknown or malformed token gets the same 404; every use is rate limited per address.',
  tags: ['Satisfaction'],
  access: 'public',
  params: tokenParams,
  response: { status: 200, description: 'The survey', schema: publicSurveyView },
  errors: [404, 429],
});

export const rateSatisfaction = routeContract({
  method: 'put',
  path: '/api/public/satisfaction/:token',
  operationId: 'rateSatisfaction',
  summary: 'Answer (or change the answer to) a satisfaction survey',
  description:
    'Records SatisfactionRated on the thread, as its raiser. The same answer again changes nothing; an omitted comment keeps the one given before, an empty one clears it. After the expiry: 422 `survey_expired`.',
  tags: ['Satisfaction'],
  access: 'public',
  params: tokenParams,
  body: rateSatisfactionInput,
  response: { status: 200, description: 'The survey with the answer recorded', schema: ratedAnswer },
  errors: [404, 422, 429],
});

export const getThreadSatisfaction = routeContract({
  method: 'get',
  path: '/api/support/threads/:threadId/satisfaction',
  operationId: 'getThreadSatisfaction',
  summary: "The thread's satisfaction surveys and their answers (staff)",
  tags: ['Satisfaction'],
  access: ['admin', 'agent', 'auditor'],
  params: z.object({ threadId: z.uuid() }),
  response: { status: 200, description: 'The surveys, the latest first', schema: threadSurveys },
  errors: [404],
});

const surveyNotFound = () => problems.notFound(plainWords('survey_not_found'), 'survey_not_found');

function publicView(thread: RaisedThread, survey: SatisfactionSurvey, now: Date): z.infer<typeof publicSurveyView> {
  return {
    subject: thread.subject,
    reference: thread.assignmentReference,
    scale: survey.scale,
    ratings: [...ratingsOf(survey.scale)],
    rating: survey.rating,
    comment: survey.comment,
    ratedAt: survey.ratedAt,
    expiresAt: survey.expiresAt,
    open: surveyIsOpen(survey, now),
  };
}

export function toStaffSurvey(survey: SatisfactionSurvey, now: Date): z.infer<typeof staffSurveyView> {
  return {
    surveyId: survey.surveyId,
    recipient: survey.recipient,
    scale: survey.scale,
    offeredAt: survey.offeredAt,
    expiresAt: survey.expiresAt,
    open: surveyIsOpen(survey, now),
    rating: survey.rating,
    comment: survey.comment,
    ratedAt: survey.ratedAt,
    answers: survey.answers,
  };
}

const noStore = { 'Cache-Control': 'no-store' };

export function satisfactionRoutes(deps: CommandDependencies, options: { rateLimiter: RateLimiter }): AnyRoute[] {
  /** The thread and survey a token opens, or the one 404; a malformed token is refused unread. */
  async function open(ctx: RouteContext<{ token: string }, unknown, unknown>) {
    const allowed = await options.rateLimiter.hit(rateLimitKey('guest-token', ctx.ip || 'unknown'), TOKEN_USES);
    if (!allowed.allowed) throw problems.tooManyRequests(allowed.retryAfterSeconds);
    const { token } = ctx.params;
    const threadId = threadIdOfSurveyToken(token);
    if (!threadId) throw surveyNotFound();
    const tokenHash = hashSurveyToken(token);
    const { state } = await loadStream(deps.eventStore, threadDecider, threadStreamName(threadId));
    if (state.status === 'EMPTY') throw surveyNotFound();
    const survey = surveyByTokenHash(state.surveys, tokenHash);
    if (!survey) throw surveyNotFound();
    return { thread: state, survey, tokenHash };
  }

  const read = implement(getSatisfactionSurvey, {
    async handle(ctx) {
      const { thread, survey } = await open(ctx);
      return { body: publicView(thread, survey, deps.clock()), headers: noStore };
    },
  });

  const rate = implement(rateSatisfaction, {
    async handle(ctx) {
      const { thread, survey, tokenHash } = await open(ctx);
      const { recipient } = survey;
      const outcome = await handleCommand(
        deps.eventStore,
        threadDecider,
        threadStreamName(thread.threadId),
        {
          type: 'RateSatisfaction',
          data: { threadId: thread.threadId, tokenHash, rating: ctx.body.rating, comment: ctx.body.comment },
          // the link speaks for the person it was sent to: the answer is theirs
          metadata: { now: deps.clock(), author: { kind: recipient.kind, id: recipient.id, name: recipient.name } },
        },
        // the actor is the survey (its id), never the token
        {
          metadata: {
            actor: { type: 'guest', id: `survey:${survey.surveyId}` },
            correlationId: ctx.requestId || undefined,
          },
        },
      );
      if (outcome.appended.length) deps.onSatisfactionRated?.(String(ctx.body.rating));
      const after = outcome.state.status === 'EMPTY' ? undefined : outcome.state;
      const answered = after?.surveys[survey.surveyId];
      if (!after || !answered) throw new Error('a rated survey is on its thread');
      return {
        body: { ...publicView(after, answered, deps.clock()), revision: outcome.revision, position: outcome.position },
        headers: { ...noStore, ETag: `"${outcome.revision}"` },
      };
    },
  });

  const forStaff = implement(getThreadSatisfaction, {
    async handle(ctx) {
      const { state } = await loadStream(deps.eventStore, threadDecider, threadStreamName(ctx.params.threadId));
      authorizeThread(ctx.identity)(state);
      if (state.status === 'EMPTY') throw problems.notFound(plainWords('thread_not_found'));
      const now = deps.clock();
      // the surveys are kept in the order they were offered (the log's): the latest first
      const surveys = Object.values(state.surveys)
        .reverse()
        .map((s) => toStaffSurvey(s, now));
      return { body: { threadId: state.threadId, surveys } };
    },
  });

  return [read, rate, forStaff];
}
