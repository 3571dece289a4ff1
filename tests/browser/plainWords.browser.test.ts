import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startScenario, type Scenario } from './scenario.js';

/**
 * A refusal reaches the person as the sentence the desk wrote for them: a partner whose page has
 * not yet learnt that support closed the thread sends a reply and reads why it was not sent.
 */
let scenario: Scenario;

describe('refusals in plain words, in a browser', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    scenario = await startScenario();
  });
  afterAll(async () => {
    await scenario?.bd.stop();
  });
  afterEach(() => {
    expect(scenario.bd.pageErrors.splice(0)).toEqual([]);
  });

  it('a reply to a thread that was closed meanwhile says so, without ids or codes', async () => {
    const subject = 'Invoice 4480 was paid twice';
    const threadId = await scenario.arrangeThread(subject);
    const partner = await scenario.person('partner@acme.test');
    // the page must not learn of the close before the reply is sent: no live socket, and the
    // page's clock (its polling timer) held still once the thread is shown
    await partner.routeWebSocket(/\/api\/support\/live/, (socket) => socket.close());
    await partner.clock.install();
    await partner.goto(`/portal/threads/${threadId}`);
    await partner.getByRole('heading', { name: subject }).waitFor();
    await partner.clock.pauseAt(Date.now() + 60_000);

    const closed = await scenario.api.agent.request('POST', `/api/support/threads/${threadId}/close`, {});
    expect(closed.status).toBe(200);

    await partner.getByLabel('Reply').fill('One more question about the refund.');
    await partner.getByRole('button', { name: 'Send reply' }).click();
    const alert = partner.getByRole('alert').filter({ hasText: 'closed' });
    await alert.waitFor();
    expect(await alert.innerText()).toBe('This thread is closed, so it takes no new messages.');
  });
});
