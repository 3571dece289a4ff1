import { describe, expect, it } from 'vitest';
import {
  deliveryStateRank,
  isFinalDeliveryState,
  shownDeliveryState,
  strongerDeliveryState,
  suppressionOf,
} from '../../../domain/email/deliveryState.js';
import type { EmailAddressEvent, EmailDeliveryReported } from '../../../domain/index.js';
import { foldDeliveryReport } from '../../../projections/emailDeliveryReports.js';
import { foldSuppression } from '../../../projections/emailSuppressions.js';
import { deliveryReportOf } from '../../../workers/email/delivery/deliveryReport.js';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();

describe('the delivery state shown', () => {
  it('ranks sent < delayed < delivered, with bounced and complained final', () => {
    expect(deliveryStateRank('sent')).toBeLessThan(deliveryStateRank('delayed'));
    expect(deliveryStateRank('delayed')).toBeLessThan(deliveryStateRank('delivered'));
    expect(deliveryStateRank('delivered')).toBeLessThan(deliveryStateRank('bounced'));
    expect(isFinalDeliveryState('bounced')).toBe(true);
    expect(isFinalDeliveryState('complained')).toBe(true);
    expect(isFinalDeliveryState('delivered')).toBe(false);
  });

  it('when delivered arrives before sent, then it stays delivered', () => {
    expect(shownDeliveryState(['delivered', 'sent'])).toBe('delivered');
  });

  it('when a delay is reported after the delivery, then it stays delivered', () => {
    expect(shownDeliveryState(['sent', 'delivered', 'delayed'])).toBe('delivered');
  });

  it('when a delay comes before the delivery, then it moves on to delivered', () => {
    expect(shownDeliveryState(['sent', 'delayed'])).toBe('delayed');
    expect(shownDeliveryState(['sent', 'delayed', 'delivered'])).toBe('delivered');
  });

  it('when a complaint follows the delivery, then it shows complained, and the first final state stays', () => {
    expect(shownDeliveryState(['delivered', 'complained'])).toBe('complained');
    expect(strongerDeliveryState('bounced', 'complained')).toBe('bounced');
    expect(strongerDeliveryState('complained', 'delivered')).toBe('complained');
    expect(shownDeliveryState([])).toBeNull();
  });
});

describe('the delivery reports read model', () => {
  const report = (state: EmailDeliveryReported['data']['state'], minute: number): EmailDeliveryReported => ({
    type: 'EmailDeliveryReported',
    data: {
      emailId: 'e'.repeat(64),
      threadId: '6f0b1c2e-8f5d-4b39-9a5e-0c1d2e3f4a5b',
      recipient: 'pat@acme.test',
      providerId: 're_1',
      state,
      bounceType: state === 'bounced' ? 'Permanent' : null,
      reason: state === 'bounced' ? 'General: no such user' : null,
      occurredAt: at(minute),
    },
  });

  it('keeps the strongest state and counts every report', () => {
    const row = [report('delivered', 2), report('sent', 1), report('delayed', 3)].reduce(
      foldDeliveryReport,
      undefined as ReturnType<typeof foldDeliveryReport> | undefined,
    );
    expect(row).toMatchObject({ state: 'delivered', occurred_at: at(2), reports: 3 });
  });

  it('a bounce after the delivery shows bounced with its reason', () => {
    const row = [report('delivered', 2), report('bounced', 5)].reduce(
      foldDeliveryReport,
      undefined as ReturnType<typeof foldDeliveryReport> | undefined,
    );
    expect(row).toMatchObject({ state: 'bounced', bounce_type: 'Permanent', reason: 'General: no such user' });
  });
});

describe('suppressed addresses', () => {
  const suppressed = (reason: 'bounced' | 'complained', minute: number): EmailAddressEvent => ({
    type: 'EmailAddressSuppressed',
    data: { address: 'pat@acme.test', reason, emailId: 'e'.repeat(64), occurredAt: at(minute) },
  });
  const cleared = (minute: number): EmailAddressEvent => ({
    type: 'EmailAddressSuppressionCleared',
    data: { address: 'pat@acme.test', by: { id: 'a-1', name: 'Ada' }, reason: 'fixed', occurredAt: at(minute) },
  });

  it('a bounce suppresses; a complaint outranks it; a later bounce leaves it complained', () => {
    expect(suppressionOf([suppressed('bounced', 1)])).toMatchObject({ suppressed: true, reason: 'bounced' });
    expect(suppressionOf([suppressed('bounced', 1), suppressed('complained', 2)])).toMatchObject({
      reason: 'complained',
    });
    expect(suppressionOf([suppressed('complained', 1), suppressed('bounced', 2)])).toMatchObject({
      reason: 'complained',
    });
  });

  it('a clear lifts it; a report of before the clear does not suppress again, a new one does', () => {
    expect(suppressionOf([suppressed('bounced', 1), cleared(5)])).toEqual({ suppressed: false, clearedAt: at(5) });
    expect(suppressionOf([suppressed('bounced', 1), cleared(5), suppressed('bounced', 1)]).suppressed).toBe(false);
    expect(suppressionOf([suppressed('bounced', 1), cleared(5), suppressed('bounced', 7)])).toMatchObject({
      suppressed: true,
      since: at(7),
    });
  });

  it('the read model row follows the same rule and keeps who cleared it', () => {
    const row = [suppressed('bounced', 1), cleared(5), suppressed('complained', 3)].reduce(
      foldSuppression,
      undefined as ReturnType<typeof foldSuppression> | undefined,
    );
    expect(row).toMatchObject({ active: false, reason: null, cleared_by: 'Ada', cleared_reason: 'fixed' });
  });
});

describe("reading Resend's delivery webhooks", () => {
  const base = {
    email_id: '4ef9a417-02e9-4d39-ad75-9611e0fcc33c',
    created_at: at(0),
    message_id: '<m@desk>',
    from: 'desk@example.com',
    to: ['pat@acme.test'],
    subject: 'Re: x',
  };

  it('maps each event type to its state, dated by the event', () => {
    expect(deliveryReportOf({ type: 'email.delivery_delayed', created_at: at(4), data: base })).toMatchObject({
      kind: 'report',
      state: 'delayed',
      providerId: base.email_id,
      occurredAt: at(4),
      suppress: null,
    });
    expect(deliveryReportOf({ type: 'email.complained', created_at: at(4), data: base })).toMatchObject({
      state: 'complained',
      suppress: 'complained',
    });
  });

  it('only a permanent bounce suppresses the address', () => {
    const bounce = (type: string) =>
      deliveryReportOf({
        type: 'email.bounced',
        created_at: at(4),
        data: { ...base, bounce: { type, subType: 'General', message: 'No such user' } },
      });
    expect(bounce('Permanent')).toMatchObject({
      bounceType: 'Permanent',
      reason: 'General: No such user',
      suppress: 'bounced',
    });
    expect(bounce('Transient')).toMatchObject({ bounceType: 'Transient', suppress: null });
    expect(bounce('Undetermined')).toMatchObject({ suppress: null });
  });

  it('an event it cannot read is skipped with why', () => {
    expect(deliveryReportOf({ type: 'email.delivered', created_at: at(1), data: {} })).toMatchObject({
      kind: 'skip',
      reason: expect.stringMatching(/^unreadable_event: data.email_id/),
    });
    expect(deliveryReportOf({ type: 'email.opened', created_at: at(1), data: base })).toMatchObject({ kind: 'skip' });
  });
});
