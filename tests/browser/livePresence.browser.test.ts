import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserDesk } from './browserDesk.js';
import { CONFIG, LIVE, markPage, ok, startScenario, wasNotReloaded, type Scenario } from './scenario.js';

/**
 * What reaches open pages without a reload: a system config change (the WhatsApp bubble going
 * away and coming back on a partner's and a guest's open pages, and on a fresh load), and an
 * agent typing, which the partner sees as "Support is typing…" with nothing in the frames that
 * names or identifies the agent unless the desk is set to show names.
 */

let scenario: Scenario;
let bd: BrowserDesk;

/** Every websocket text frame the page receives, as sent (set up before the page opens its socket). */
function recordFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (ws) => {
    ws.on('framereceived', (frame) => {
      if (typeof frame.payload === 'string') frames.push(frame.payload);
    });
  });
  return frames;
}

const presenceFrames = (frames: string[]) =>
  frames.map((f) => JSON.parse(f) as { type: string; viewers?: unknown[] }).filter((f) => f.type === 'presence');

describe('live in a browser: config and presence', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    scenario = await startScenario();
    bd = scenario.bd;
  });

  afterAll(async () => {
    await bd?.stop();
  });

  afterEach(() => {
    expect(bd.pageErrors.splice(0)).toEqual([]);
  });

  it('when an admin turns the WhatsApp bubble off on the config page, then it goes from open partner and guest pages at once, and stays gone on a fresh load', async () => {
    await scenario.arrangeConfig(CONFIG); // bubble on, with a number
    const threadId = await scenario.arrangeThread('Where is the bubble?');
    const link = await ok(
      scenario.api.agent.request<{ token: string }>('POST', `/api/support/threads/${threadId}/guest-links`, {}),
    );

    const partner = await scenario.person('partner@acme.test');
    await partner.goto('/portal');
    await partner.getByTestId('whatsapp-bubble').waitFor();
    await markPage(partner);
    const guest = await scenario.person();
    await guest.goto(`/t/${link.token}`);
    await guest.getByTestId('whatsapp-bubble').waitFor();
    await markPage(guest);

    const admin = await scenario.person('admin@demo.test');
    await admin.goto('/admin/system-config');
    const bubbleSwitch = admin.getByRole('switch', { name: 'Show the WhatsApp bubble on partner pages' });
    await bubbleSwitch.waitFor();
    expect(await bubbleSwitch.isChecked()).toBe(true);
    await bubbleSwitch.uncheck();
    await admin.getByRole('button', { name: 'Save settings' }).click();
    await admin.getByText('Open pages show the new settings at once.').waitFor();

    // gone from the open pages, which were not reloaded
    await partner.getByTestId('whatsapp-bubble').waitFor({ state: 'detached', ...LIVE });
    await guest.getByTestId('whatsapp-bubble').waitFor({ state: 'detached', ...LIVE });
    expect(await wasNotReloaded(partner)).toBe(true);
    expect(await wasNotReloaded(guest)).toBe(true);

    // a fresh page load: the config it reads says no bubble (no copy kept from before)
    const fresh = await scenario.person('partner@acme.test');
    const answer = fresh.waitForResponse((r) => r.url().endsWith('/api/support/public/config') && r.status() === 200);
    await fresh.goto('/portal');
    expect(await (await answer).json()).toMatchObject({ whatsappBubbleEnabled: false });
    await fresh.getByRole('heading', { name: /Hello,/ }).waitFor();
    expect(await fresh.getByTestId('whatsapp-bubble').count()).toBe(0);

    // and back on: it comes back on the open pages too
    await bubbleSwitch.check();
    await admin.getByRole('button', { name: 'Save settings' }).click();
    await partner.getByTestId('whatsapp-bubble').waitFor(LIVE);
    await guest.getByTestId('whatsapp-bubble').waitFor(LIVE);
    await fresh.getByTestId('whatsapp-bubble').waitFor(LIVE);
    expect(await wasNotReloaded(partner)).toBe(true);
  });

  it('when an agent types a reply, then the partner sees "Support is typing…", with no agent id or name in what the partner receives unless names are shown', async (ctx) => {
    if (!bd.liveSocket) ctx.skip(); // presence travels on the socket only
    const subject = 'Who is typing?';
    const threadId = await scenario.arrangeThread(subject);
    const me = await ok(scenario.api.agent.request<{ identity: { accountId: string } }>('GET', '/api/auth/me'));
    const agentId = me.identity.accountId;
    expect(agentId).toBeTruthy();

    const partner = await scenario.person('partner@acme.test');
    const frames = recordFrames(partner);
    await partner.goto(`/portal/threads/${threadId}`);
    await partner.getByRole('heading', { name: subject }).waitFor();
    await markPage(partner);
    const typing = partner.getByTestId('support-typing');

    const agent = await scenario.person('agent@demo.test');
    await agent.goto(`/admin/support?thread=${threadId}`);
    const drawer = agent.getByRole('dialog', { name: subject });
    await drawer.waitFor();
    // staff see the partner there
    await drawer.getByTestId('presence').filter({ hasText: 'Pat Partner (Acme) is viewing' }).waitFor(LIVE);

    const reply = drawer.getByLabel('Reply');
    const nobodyTyping = () =>
      partner.waitForFunction(
        () => document.querySelector('[data-testid="support-typing"]')?.textContent === '',
        null,
        LIVE,
      );
    await reply.pressSequentially('We are looking', { delay: 20 });
    await typing.filter({ hasText: 'Support is typing…' }).waitFor(LIVE);
    // the agent clears the box: typing ends at once for the partner
    await reply.fill('');
    await nobodyTyping();

    // an internal note being typed (and given up) is not shown to the partner at all; the next reply is
    await drawer.getByRole('radio', { name: 'Internal note' }).click();
    const note = drawer.getByLabel('Internal note');
    await note.pressSequentially('Check the ledger', { delay: 20 });
    await note.fill('');
    await drawer.getByRole('radio', { name: 'Reply' }).click();
    await reply.pressSequentially('Found it', { delay: 20 });
    await typing.filter({ hasText: 'Support is typing…' }).waitFor(LIVE);
    await reply.fill('');
    await nobodyTyping();

    // frames on one socket keep their order: had the note been told, there would be more of them
    const support = { type: 'presence', threadId, viewers: [{ kind: 'staff', id: '', name: '', typing: true }] };
    const nobody = { type: 'presence', threadId, viewers: [] };
    expect(presenceFrames(frames)).toEqual([support, nobody, support, nobody]);
    const wire = frames.join('\n');
    expect(wire).not.toContain(agentId);
    expect(wire).not.toContain('Alex Agent');

    // with names shown (set through the API here; the config page has the switch)
    const current = await ok(scenario.api.admin.request<Record<string, unknown>>('GET', '/api/support/config'));
    await ok(
      scenario.api.admin.request('PUT', '/api/support/config', {
        whatsappNumber: current.whatsappNumber,
        supportEmail: current.supportEmail,
        portalBaseUrl: current.portalBaseUrl,
        whatsappBubbleEnabled: current.whatsappBubbleEnabled,
        showStaffNamesInPresence: true,
      }),
    );
    try {
      await reply.pressSequentially('Alex here', { delay: 20 });
      await typing.filter({ hasText: 'Alex Agent (support) is typing…' }).waitFor(LIVE);
      expect(frames.join('\n')).not.toContain(agentId);
      expect(await wasNotReloaded(partner)).toBe(true);
    } finally {
      await ok(
        scenario.api.admin.request('PUT', '/api/support/config', {
          whatsappNumber: current.whatsappNumber,
          supportEmail: current.supportEmail,
          portalBaseUrl: current.portalBaseUrl,
          whatsappBubbleEnabled: current.whatsappBubbleEnabled,
          showStaffNamesInPresence: false,
        }),
      );
    }
  });
});
