import { ratingsOf, type SatisfactionRating, type SatisfactionScale } from '../../domain/index.js';
import {
  ELIDED_TOKEN,
  emailTime,
  escapeHtml,
  plainLine,
  type EmailSettings,
  type ThreadEmailFacts,
} from './templates.js';

/*
 * The satisfaction survey's email: one link per rating (one click opens the rating page with that
 * answer chosen, and the page records it: a link followed by a mail scanner records nothing) and
 * one to add a comment. The token is rebuilt by the sender as it sends (satisfaction_render);
 * what the outbox keeps is a preview with the token elided.
 */

export interface SatisfactionSurveyContent {
  template: 'satisfaction_survey';
  thread: ThreadEmailFacts;
  /** The SatisfactionSurveyOffered event: it names the email. */
  eventId: string;
  surveyId: string;
  scale: SatisfactionScale;
  expiresAt: string;
}

/** What the sender needs to rebuild a survey email's token when it sends it (never the token). */
export interface SatisfactionRender {
  content: SatisfactionSurveyContent;
  settings: EmailSettings;
  threadId: string;
  tokenSeed: string;
  tokenHash: string;
}

/** The rating page of a survey: `<portal>/rate/<token>`. */
export function surveyPageUrl(portalBaseUrl: string, token: string): string {
  return `${portalBaseUrl}/rate/${token}`;
}

const threePointWords: Record<string, string> = { good: 'Good', okay: 'Okay', bad: 'Bad' };

/** A rating as the email and the page say it: Good, Okay, Bad; 5 (best) … 1 (worst). */
export function ratingWords(rating: SatisfactionRating): string {
  if (typeof rating === 'number') return rating === 5 ? '5 (best)' : rating === 1 ? '1 (worst)' : String(rating);
  return threePointWords[rating] ?? rating;
}

/** Renders the survey email; `token` null: the link could not be rebuilt, so the email carries none. */
export function renderSatisfactionSurvey(
  content: SatisfactionSurveyContent,
  token: string | null,
  settings: EmailSettings,
): { subject: string; html: string; text: string } {
  const { thread } = content;
  const subject = plainLine(`How did we do? [${thread.reference}] ${thread.subject}`);
  const intro = `Your query about assignment ${thread.reference} ("${plainLine(thread.subject)}") was resolved. How did we do? One click is enough.`;
  const until = `You can change your answer, or add a comment, until ${emailTime(content.expiresAt)}.`;
  if (token === null) {
    const notice = `This email cannot carry your survey link. If you would like to tell us how it went, write to ${settings.supportEmail}.`;
    return {
      subject,
      html: page(subject, [`<p>${escapeHtml(intro)}</p>`, `<p>${escapeHtml(notice)}</p>`]),
      text: `${intro}\n\n${notice}\n`,
    };
  }
  const pageUrl = surveyPageUrl(settings.portalBaseUrl, token);
  const choices = ratingsOf(content.scale).map((rating) => ({
    words: ratingWords(rating),
    url: `${pageUrl}?rating=${encodeURIComponent(String(rating))}`,
  }));
  const commentUrl = `${pageUrl}#comment`;
  const buttons = choices
    .map(
      (c) =>
        `<a href="${escapeHtml(c.url)}" style="display:inline-block;margin:0 8px 8px 0;padding:8px 16px;border:1px solid #888;border-radius:6px;color:#222;text-decoration:none">${escapeHtml(c.words)}</a>`,
    )
    .join('');
  const footer =
    token === ELIDED_TOKEN
      ? ''
      : 'This link is yours alone: anyone who has it can answer for you. Please do not forward this email.';
  return {
    subject,
    html: page(subject, [
      `<p>${escapeHtml(intro)}</p>`,
      `<p style="margin:16px 0">${buttons}</p>`,
      `<p><a href="${escapeHtml(commentUrl)}">Add a comment</a></p>`,
      `<p style="color:#555">${escapeHtml(until)}</p>`,
      footer ? `<p style="color:#777;font-size:13px">${escapeHtml(footer)}</p>` : '',
    ]),
    text: [intro, choices.map((c) => `${c.words}: ${c.url}`).join('\n'), `Add a comment: ${commentUrl}`, until, footer]
      .filter(Boolean)
      .join('\n\n')
      .concat('\n'),
  };
}

function page(subject: string, parts: string[]): string {
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;font-size:15px;line-height:1.5;color:#222">',
    ...parts.filter(Boolean),
    '</body></html>',
  ].join('\n');
}
