import { describe, expect, it } from 'vitest';
import { deliveryFailureNote, parseCommandData, postMessageData } from '../../../domain/index.js';
import { messageId, threadId } from './threadFixtures.js';

/** The email worker hands its note to the decider as it is: it must already be a parsed message body. */
describe('the delivery failure note', () => {
  it.each([
    ['a reason ending in a newline', { errorName: 'SendError', reason: 'mailbox full\n' }],
    ['a reason of spaces only', { errorName: null, reason: '   ' }],
    ['a reason cut at 600 characters just before a space', { errorName: null, reason: `${'x'.repeat(599)} tail` }],
  ])('when it has %s, then it is what parsing a message body would make it', (_, failure) => {
    const note = deliveryFailureNote('pat@example.com', failure);
    const parsed = parseCommandData('PostMessage', postMessageData, {
      threadId,
      messageId: messageId(1),
      body: note,
      visibility: 'internal',
    });
    expect(parsed.body).toBe(note);
  });
});
