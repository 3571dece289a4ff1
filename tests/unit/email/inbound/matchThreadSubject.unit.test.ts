import { describe, expect, it } from 'vitest';
import { subjectTagsOf, subjectTopicOf } from '../../../../workers/email/inbound/matchThreadSubject.js';

describe('what a subject line says', () => {
  it('given tags as our emails write them, then the distinct assignment references, in order', () => {
    expect(subjectTagsOf('Re: [A-1001] Missing note')).toEqual(['A-1001']);
    expect(subjectTagsOf('[a-1001] x [A-1001] [ B-7 ]')).toEqual(['A-1001', 'B-7']);
    expect(subjectTagsOf('[urgent] [1234] no tags')).toEqual([]);
  });

  it('given reply prefixes in several languages and our template wording, then the topic underneath', () => {
    for (const subject of [
      'Re: [A-1001] Missing delivery note',
      'AW: RE: [A-1001] Missing delivery note',
      'WG: Fwd: Antw: [A-1001]  Missing   delivery note',
      'Re[2]: We received your query [A-1001] Missing delivery note',
      'New query [A-1001] Missing delivery note',
      'Missing Delivery Note',
    ]) {
      expect(subjectTopicOf(subject)).toBe('missing delivery note');
    }
    expect(subjectTopicOf('Re: [A-1001]')).toBe('');
  });
});
