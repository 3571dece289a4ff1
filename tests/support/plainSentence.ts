import { expect } from 'vitest';

/** What makes a sentence one written for a person: the rules every refusal's `detail` keeps. */
export function expectPlainSentence(sentence: string): void {
  expect(sentence, sentence).toMatch(/^[A-Z]/); // a sentence, capitalised
  expect(sentence, sentence).toMatch(/[.!]$/); // ending as one
  expect(sentence, sentence).not.toMatch(/\b[a-z]+_[a-z_]+\b/); // no snake_case code
  expect(sentence, sentence).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/i); // no ids
  expect(sentence, sentence).not.toMatch(/\b(OPEN|PENDING|RESOLVED|CLOSED)\b/); // no status constants
  expect(sentence, sentence).not.toMatch(/\b(revision|stream|projection|idempotency|HTTP|CSRF|ETag)\b/i); // no jargon
}
