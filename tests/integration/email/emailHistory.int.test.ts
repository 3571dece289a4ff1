import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmailKit, type EmailKit } from './emailTestKit.js';

/** Turning email on over a log that already has history. */
describe('email worker: first run over an existing log', () => {
  let kit: EmailKit;

  beforeAll(async () => {
    kit = await startEmailKit();
  });
  afterAll(async () => kit?.stop());

  it('when told to skip the history, then old events send nothing but their facts serve the emails of new ones', async () => {
    const oldThread = await kit.raise({ subject: 'Raised before email was on' });
    const worker = kit.worker({ history: 'skip' });
    await kit.drain(worker);
    expect(await kit.outbox({ threadId: oldThread })).toEqual([]);

    // a reply on the old thread is new: the thread's facts (subject, partner) were learnt from history
    await kit.post(oldThread, 'Now with email');
    const newThread = await kit.raise({ subject: 'Raised after' });
    await kit.drain(worker);
    expect((await kit.outbox({ threadId: oldThread })).map((r) => [r.template, r.recipient, r.subject])).toEqual([
      ['staff_reply', 'partner@acme.test', 'Re: [A-1001] Raised before email was on'],
    ]);
    expect((await kit.outbox({ threadId: newThread })).map((r) => r.template).sort()).toEqual([
      'query_raised_ack',
      'query_raised_support',
    ]);
  });
});
