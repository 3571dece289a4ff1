import { describe, expect, it } from 'vitest';
import { domainErrorCodes } from '../../domain/shared.js';
import { everySentence, httpProblemCodes, plainWords } from '../../platform/http/plainWords.js';
import { expectPlainSentence } from '../support/plainSentence.js';

describe('every refusal in plain words', () => {
  it('every code the desk can answer with has a sentence, and every sentence keeps the rules', () => {
    const sentences = everySentence();
    for (const code of [...httpProblemCodes, ...domainErrorCodes]) {
      expect(sentences.some((s) => s.code === code)).toBe(true);
    }
    for (const { sentence } of sentences) expectPlainSentence(sentence);
  });

  it('a refused status change says where the thread is and what would make it possible', () => {
    expect(plainWords('invalid_transition', { from: 'RESOLVED', to: 'RESOLVED' })).toBe(
      'This thread is already resolved.',
    );
    expect(plainWords('invalid_transition', { from: 'CLOSED', to: 'RESOLVED' })).toBe(
      'This thread is closed. Reopen it before resolving it.',
    );
    expect(plainWords('invalid_transition', { from: 'PENDING', to: 'OPEN' })).toBe(
      'This thread is waiting for the partner, so there is nothing to reopen.',
    );
  });
});
