/**
 * What a subject line says: the assignment tags in it (`[A-1001]`, as our emails write them)
 * and the topic underneath the tags, reply prefixes and our own template wording, so that
 * "AW: Re: [A-1001] Missing delivery note" and the thread "Missing delivery note" compare equal.
 */

/** `[A-1001]`: letters, a dash, digits; the form our subjects carry (`[${reference}]`). */
const tagPattern = /\[\s*([A-Za-z][A-Za-z0-9]{0,19}-\d{1,12})\s*\]/g;

/** The distinct assignment references tagged in a subject, in order, as written (upper case). */
export function subjectTagsOf(subject: string): string[] {
  const tags: string[] = [];
  for (const match of subject.matchAll(tagPattern)) {
    const tag = (match[1] ?? '').toUpperCase();
    if (!tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

/** Reply and forward prefixes in the languages our partners write: Re, Aw, Antw, Fwd, Fw, Wg, Sv, Vs, Tr, Rif. */
const replyPrefix = /^\s*(re|aw|antw|antwort|fwd?|wg|sv|vs|tr|rif|r)\s*(\[\d+\]|\(\d+\))?\s*:\s*/i;
/** What our own templates put before the topic (workers/email/templates.ts). */
const templatePrefix = /^\s*(new query|we received your query|resolved:|your link to the conversation)\s*/i;

/** The topic of a subject: no tags, no reply prefixes, no template wording; lowercase, single spaces. */
export function subjectTopicOf(subject: string): string {
  let topic = subject.replace(tagPattern, ' ');
  for (let previous = ''; previous !== topic;) {
    previous = topic;
    topic = topic.replace(replyPrefix, '').replace(templatePrefix, '');
  }
  return topic.replace(/\s+/g, ' ').trim().toLowerCase();
}
