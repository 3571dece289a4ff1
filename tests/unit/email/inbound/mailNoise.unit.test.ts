import { describe, expect, it } from 'vitest';
import { mailNoiseOf, type NoiseReason } from '../../../../workers/email/inbound/mailNoise.js';
import { deskAddress, matchContext, receivedEmail, replyAddress, openThread, addresses } from './inboundSpec.js';
import type { ReceivedEmail } from '../../../../workers/email/inbound/inboundMessageHeaders.js';

const context = matchContext();
const noiseOf = (email: Partial<ReceivedEmail>) => mailNoiseOf(receivedEmail(email), context);
const withHeaders = (headers: Record<string, string>) =>
  noiseOf({ headers: { 'Message-ID': '<a@acme.test>', ...headers } });

describe('mailNoiseOf: what is recorded but never becomes a message', () => {
  it('given a person writing, when nothing marks it automatic, then it is no noise', () => {
    expect(noiseOf({})).toBeNull();
    expect(withHeaders({ 'Auto-Submitted': 'no' })).toBeNull();
    expect(withHeaders({ Precedence: 'first-class' })).toBeNull();
  });

  it.each<[Record<string, string>, NoiseReason]>([
    [{ 'Auto-Submitted': 'auto-replied' }, 'auto_submitted'],
    [{ 'auto-submitted': 'Auto-Generated; owner-email="x@acme.test"' }, 'auto_submitted'],
    [{ 'Auto-Submitted': 'auto-notified' }, 'auto_submitted'],
    [{ 'X-Autoreply': 'yes' }, 'autoreply_header'],
    [{ 'X-Autorespond': 'Out of office' }, 'autoreply_header'],
    [{ 'X-AutoReply': '' }, 'autoreply_header'],
    [{ Precedence: 'bulk' }, 'precedence'],
    [{ precedence: ' Auto_Reply ' }, 'precedence'],
    [{ Precedence: 'junk' }, 'precedence'],
    [{ Precedence: 'list' }, 'precedence'],
    [{ 'Content-Type': 'multipart/report; report-type=delivery-status; boundary="b"' }, 'delivery_report'],
    [{ 'X-Failed-Recipients': 'pat@acme.test' }, 'delivery_report'],
    [{ 'List-Unsubscribe': '<https://news.acme.test/u/1>' }, 'bulk_mail'],
    [{ 'List-Id': 'Acme news <news.acme.test>' }, 'bulk_mail'],
  ])('when the headers are %o, then it is noise: %s', (headers, reason) => {
    expect(withHeaders(headers)).toBe(reason);
  });

  it("given a partner's team address run as a list, when a person replies through it (In-Reply-To), then it is no noise", () => {
    expect(withHeaders({ 'List-Id': '<team.acme.test>', 'In-Reply-To': '<thread-1.2@support-desk>' })).toBeNull();
    expect(withHeaders({ 'List-Unsubscribe': '<mailto:leave@acme.test>', References: '<x@y.test>' })).toBeNull();
  });

  it('when its own Message-ID is one we sent, then it is our own mail come back', () => {
    expect(noiseOf({ headers: { 'Message-ID': '<thread-1.2@support-desk>' }, message_id: '<other@acme.test>' })).toBe(
      'our_message_id',
    );
    expect(noiseOf({ headers: {}, message_id: 'thread-1.2@support-desk' })).toBe('our_message_id');
  });

  it('when it comes from one of our own addresses, then it is ignored (whatever the case)', () => {
    expect(noiseOf({ from: `Desk <${deskAddress.toUpperCase()}>` })).toBe('from_ourselves');
    expect(noiseOf({ from: replyAddress(openThread, addresses.pat) })).toBe('from_ourselves');
  });

  it('when an auto-reply is sent to a signed reply address, then it is still noise', () => {
    expect(noiseOf({ to: [replyAddress(openThread, addresses.pat)], headers: { 'X-Autoreply': 'yes' } })).toBe(
      'autoreply_header',
    );
  });
});
