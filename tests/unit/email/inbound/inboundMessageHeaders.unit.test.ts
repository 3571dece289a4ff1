import { describe, expect, it } from 'vitest';
import {
  addressesIn,
  headerOf,
  messageIdList,
  ownMessageIdOf,
  recipientsOf,
} from '../../../../workers/email/inbound/inboundMessageHeaders.js';

describe('messageIdList: the ids of In-Reply-To and References, read robustly', () => {
  it('given angle brackets, folded lines, tabs and duplicates, then each id once, in order', () => {
    const references = '<root@support-desk>\r\n\t<a@acme.test>  <b@acme.test>\r\n <a@acme.test>';
    expect(messageIdList(references)).toEqual(['<root@support-desk>', '<a@acme.test>', '<b@acme.test>']);
  });

  it('given ids without brackets, separated by spaces or commas, then they are read too', () => {
    expect(messageIdList('root@support-desk, a@acme.test b@acme.test')).toEqual([
      '<root@support-desk>',
      '<a@acme.test>',
      '<b@acme.test>',
    ]);
  });

  it('given comments between ids and ids run together, then the comments are no ids', () => {
    expect(messageIdList("<a@x.test> (Pat's reply) <b@x.test><c@x.test>")).toEqual([
      '<a@x.test>',
      '<b@x.test>',
      '<c@x.test>',
    ]);
  });

  it('given nothing or rubbish, then no ids', () => {
    expect(messageIdList(null)).toEqual([]);
    expect(messageIdList('  ')).toEqual([]);
    expect(messageIdList('<>')).toEqual([]);
  });
});

describe('headers and addresses', () => {
  it('given headers in any case, then they are found; repeated ones are joined', () => {
    const headers = { 'in-reply-to': '<a@x.test>', REFERENCES: '<b@x.test>', References: '<c@x.test>' };
    expect(headerOf(headers, 'In-Reply-To')).toBe('<a@x.test>');
    expect(messageIdList(headerOf(headers, 'references'))).toEqual(['<b@x.test>', '<c@x.test>']);
    expect(headerOf(null, 'References')).toBeNull();
  });

  it('given display names, quotes and case, then the address is read and compared lowercase, its local part kept as sent', () => {
    expect(addressesIn('"Partner, Pat" <Pat@ACME.test>')).toEqual([
      { local: 'Pat', domain: 'acme.test', normalized: 'pat@acme.test' },
    ]);
    expect(addressesIn('pat@acme.test')[0]?.normalized).toBe('pat@acme.test');
    expect(addressesIn('no address here')).toEqual([]);
  });

  it('given To and Cc with the same person twice, then each recipient once', () => {
    const recipients = recipientsOf({ to: ['a@x.test', 'B <b@x.test>'], cc: ['A@X.test'] });
    expect(recipients.map((r) => r.normalized)).toEqual(['a@x.test', 'b@x.test']);
  });

  it("given a Message-ID header, then it is the email's own id; without one, Resend's field", () => {
    expect(ownMessageIdOf({ headers: { 'message-id': ' <m@acme.test> ' }, message_id: '<other@x>' })).toBe(
      '<m@acme.test>',
    );
    expect(ownMessageIdOf({ headers: null, message_id: 'm@acme.test' })).toBe('<m@acme.test>');
  });
});
