import { Resend } from 'resend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeResendServer } from '../../support/fakeResend/fakeResendServer.js';

/** The test double's receiving API, as the real SDK's `emails.receiving.get` reads it. */
describe("the Resend-compatible test server's receiving API", () => {
  let fake: FakeResendServer;
  let resend: Resend;

  beforeAll(async () => {
    fake = await FakeResendServer.start();
    resend = new Resend(fake.apiKey, { baseUrl: fake.url });
  });
  afterAll(async () => fake.stop());
  beforeEach(() => fake.resetFaults());

  it('when an email is received, then receiving.get answers it with its headers, and the webhook event names it', async () => {
    const id = fake.receive({
      from: 'Pat <pat@acme.test>',
      to: ['reply+x@reply.desk.test'],
      cc: ['team@acme.test'],
      subject: 'Re: [A-1001] Missing delivery note',
      text: 'Found it, thanks.',
      html: '<p>Found it, thanks.</p>',
      headers: { 'In-Reply-To': '<a@desk.test>' },
      messageId: '<m-1@acme.test>',
      attachments: [
        {
          id: 'att-1',
          filename: 'pallet.jpg',
          size: 48_213,
          content_type: 'image/jpeg',
          content_id: null,
          content_disposition: 'attachment',
        },
      ],
    });
    const { data, error } = await resend.emails.receiving.get(id);
    expect(error).toBeNull();
    expect(data).toMatchObject({
      object: 'email',
      id,
      from: 'Pat <pat@acme.test>',
      to: ['reply+x@reply.desk.test'],
      cc: ['team@acme.test'],
      subject: 'Re: [A-1001] Missing delivery note',
      text: 'Found it, thanks.',
      html: '<p>Found it, thanks.</p>',
      message_id: '<m-1@acme.test>',
      headers: { 'Message-ID': '<m-1@acme.test>', 'In-Reply-To': '<a@desk.test>' },
      attachments: [{ id: 'att-1', filename: 'pallet.jpg', size: 48_213, content_type: 'image/jpeg' }],
    });
    expect(fake.receivingRequestsFor(id)).toBe(1);

    const event = fake.receivedEvent(id);
    expect(event).toMatchObject({
      type: 'email.received',
      data: { email_id: id, from: 'Pat <pat@acme.test>', message_id: '<m-1@acme.test>', cc: ['team@acme.test'] },
    });
  });

  it('when the id is unknown or the server fails, then the SDK answers an error', async () => {
    const missing = await resend.emails.receiving.get('00000000-0000-4000-8000-000000000000');
    expect(missing.error).toMatchObject({ name: 'not_found', statusCode: 404 });
    const id = fake.receive({ from: 'pat@acme.test', to: ['x@reply.desk.test'], subject: 'Hi', text: 'Hi' });
    fake.setFaults({ serverErrorRate: 1 });
    const failed = await resend.emails.receiving.get(id);
    expect(failed.error).toMatchObject({ statusCode: 500 });
  });
});
