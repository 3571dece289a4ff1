import { describe, expect, it } from 'vitest';
import type { Author, SatisfactionSurveyOffered } from '../../../domain/index.js';
import { mailedEventTypes, partnersToEmail } from '../../../workers/email/emailDecider.js';
import { renderSatisfactionSurvey } from '../../../workers/email/satisfactionEmail.js';
import {
  assignmentLinkIssued,
  emailSpec,
  guestLinkRevoked,
  iso,
  linkId,
  logged,
  partner,
  partnerAddress,
  queryRaised,
  threadId,
  threadResolved,
} from './emailSpec.js';

/**
 * Which survey emails an offered survey sends (decideEmails, pure): one to its recipient while
 * they can still see the thread; the token never in the row, only its seed and hash to rebuild it.
 */

const seed = 'S'.repeat(22);
const hash = 'e'.repeat(64);

function offered(recipient: Author = partner, scale: 'three' | 'five' = 'three'): SatisfactionSurveyOffered {
  return {
    type: 'SatisfactionSurveyOffered',
    data: {
      threadId,
      surveyId: '3c1d0a52-8f3e-4c1d-9a57-2f6d7c1e9b32',
      tokenSeed: seed,
      tokenHash: hash,
      recipient: { kind: recipient.kind as 'partner' | 'guest', id: recipient.id, name: recipient.name },
      scale,
      expiresAt: iso(14 * 24 * 60),
      by: { kind: 'staff', id: 'staff-1', name: 'Sam Support' },
      occurredAt: iso(10),
    },
  };
}

const toPartnerSurvey = {
  template: 'satisfaction_survey',
  audience: 'partner',
  recipient: partnerAddress,
  thread_id: threadId,
  guest_link_id: null,
};

describe('decideEmails: a satisfaction survey offered', () => {
  it('when a partner’s survey is offered, then they get one survey email, rendered with the token elided', () => {
    expect(mailedEventTypes.has('SatisfactionSurveyOffered')).toBe(true);
    const [email] = emailSpec()
      .given([queryRaised(partner), threadResolved(10)])
      .when(offered())
      .thenEmails([toPartnerSurvey as never]);
    expect(email!.subject).toBe('How did we do? [A-1042] Missing delivery note');
    expect(email!.text).toContain('Good: https://desk.test/rate/…?rating=good');
    expect(email!.text).toContain('Add a comment: https://desk.test/rate/…#comment');
    expect(email!.satisfaction_render).toMatchObject({ threadId, tokenSeed: seed, tokenHash: hash });
    expect(email!.headers['Reply-To']).toMatch(/@reply\.desk\.test$/);
  });

  it('when the partner’s account is disabled or in another organisation now, then no survey is emailed', () => {
    const history = [queryRaised(partner), threadResolved(10)];
    emailSpec({ partnerEmails: new Map() }).given(history).when(offered()).thenNoEmail();
    emailSpec({ partnerOrgs: new Map([[partner.id, 'org-other']]) })
      .given(history)
      .when(offered())
      .thenNoEmail();
    emailSpec({ partnerOrgs: new Map([[partner.id, 'org-7']]) })
      .given(history)
      .when(offered())
      .thenEmails([toPartnerSurvey as never]);
  });

  it('when a guest raised the thread, then the survey goes to their link’s address; after a revocation, to nobody', () => {
    const guest: Author = { kind: 'guest', id: linkId(3), name: 'Gita Guest' };
    const raised = [assignmentLinkIssued(3, 'gita@example.com'), queryRaised(guest), threadResolved(10)];
    const [email] = emailSpec().given(raised).when(offered(guest)).decide().emails;
    expect(email).toMatchObject({ template: 'satisfaction_survey', audience: 'guest', recipient: 'gita@example.com' });
    expect(email!.guest_link_id).toBeNull();
    emailSpec()
      .given([...raised, guestLinkRevoked(3, 11)])
      .when(offered(guest))
      .thenNoEmail();
  });

  it('when the survey names someone other than the raiser, or the thread was never seen, then nothing is sent', () => {
    emailSpec()
      .given([queryRaised(partner)])
      .when(offered({ kind: 'partner', id: 'someone-else', name: 'X' }))
      .thenNoEmail();
    emailSpec().given([]).when(offered()).thenNoEmail();
  });

  it('a batch with a survey looks the raiser’s address up', () => {
    const events = [queryRaised(partner), offered()].map((e, i) => logged(e, i + 1));
    expect([...partnersToEmail(new Map(), events)]).toEqual([partner.id]);
  });

  it('renders one link per rating of the scale, best first, and none when the token cannot be rebuilt', () => {
    const content = {
      template: 'satisfaction_survey' as const,
      thread: { threadId, subject: 'Late <b>invoice</b>', reference: 'A-1' },
      eventId: 'e',
      surveyId: 's',
      scale: 'five' as const,
      expiresAt: iso(60),
    };
    const settings = { portalBaseUrl: 'https://desk.test', supportEmail: 'help@desk.test' };
    const five = renderSatisfactionSurvey(content, 'T'.repeat(65), settings);
    expect([...five.text.matchAll(/rating=(\d)/g)].map((m) => m[1])).toEqual(['5', '4', '3', '2', '1']);
    expect(five.html).toContain('Late &lt;b&gt;invoice&lt;/b&gt;');
    expect(five.text).toContain('Please do not forward this email.');
    const none = renderSatisfactionSurvey(content, null, settings);
    expect(none.text).not.toContain('/rate/');
    expect(none.text).toContain('help@desk.test');
  });
});
