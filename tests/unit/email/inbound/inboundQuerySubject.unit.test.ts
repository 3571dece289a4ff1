import { describe, expect, it } from 'vitest';
import { internalNoteOf } from '../../../../workers/email/inbound/heldMailAssignment.js';
import { querySubjectOf } from '../../../../workers/email/inbound/inboundQuerySubject.js';

describe('querySubjectOf: the subject of a query raised from an email', () => {
  it.each([
    ['[A-1001] Missing delivery note', 'Missing delivery note'],
    ['Re: [A-1001] Missing delivery note', 'Missing delivery note'],
    ['AW: Fwd: RE[2]: [a-1001] Missing  delivery\tnote', 'Missing delivery note'],
    ['Missing delivery note [A-1001]', 'Missing delivery note'],
    ['WG: Lieferschein fehlt', 'Lieferschein fehlt'],
    // a word that only starts like a prefix stays
    ['Review of the audit', 'Review of the audit'],
    ['Line one\r\nline two', 'Line one line two'],
  ])('when the subject is %j, then the query is %j', (subject, expected) => {
    expect(querySubjectOf(subject, 'Email from pat@acme.test')).toBe(expected);
  });

  it.each([[''], ['Re: [A-1001]'], ['   '], [null]])(
    'when nothing is left of %j, then the fallback is used',
    (subject) => {
      expect(querySubjectOf(subject, 'Email from pat@acme.test')).toBe('Email from pat@acme.test');
    },
  );

  it('when the subject is longer than a query subject may be, then it is cut to 200 characters with an ellipsis', () => {
    const subject = querySubjectOf(`[A-1001] ${'x'.repeat(300)}`, 'fallback');
    expect(subject).toHaveLength(200);
    expect(subject.endsWith('…')).toBe(true);
  });

  it('when a cut would split a surrogate pair, then the pair is kept whole or dropped', () => {
    const subject = querySubjectOf(`${'x'.repeat(198)}😀😀`, 'fallback');
    expect(subject).toBe(`${'x'.repeat(198)}…`);
  });
});

describe('internalNoteOf: a stranger’s email as an internal note', () => {
  it('names the sender before their words', () => {
    expect(internalNoteOf('x@y.test', 'Hello')).toBe('Email from x@y.test:\n\nHello');
  });

  it('stays within the body limit', () => {
    const note = internalNoteOf('x@y.test', 'b'.repeat(10_000));
    expect(note).toHaveLength(10_000);
    expect(note.endsWith('…')).toBe(true);
  });
});
