import { describe, expect, it } from 'vitest';
import { BODY_MAX, bodySchema } from '../../../../domain/index.js';
import {
  FULL_TEXT_MAX,
  inboundMessageOf,
  PARSED_LINE_MAX,
  type InboundMessage,
} from '../../../../workers/email/inbound/inboundMessage.js';
import { sanitizedHtmlOf } from '../../../../workers/email/inbound/inboundMessageHtml.js';

type Message = Extract<InboundMessage, { kind: 'message' }>;

/** When this email is received, then this message (which must fit the domain's body rules). */
function messageOf(email: { text?: string | null; html?: string | null }): Message {
  const message = inboundMessageOf({ text: email.text ?? null, html: email.html ?? null });
  if (message.kind !== 'message') throw new Error(`expected a message, got ${message.kind}`);
  expect(bodySchema.parse(message.body)).toBe(message.body);
  return message;
}

const quote = '> Please send the delivery note.\n> Sam, Support desk';

describe('inboundMessageOf: the reply without quoted history', () => {
  it.each([
    ['Gmail, English', 'On Tue, 1 Dec 2026 at 10:00, Support Desk <support@desk.test> wrote:'],
    ['Gmail, German', 'Am Di., 1. Dez. 2026 um 10:00 Uhr schrieb Support Desk <support@desk.test>:'],
    ['Apple Mail, English', '> On 1 Dec 2026, at 10:00, Support Desk <support@desk.test> wrote:\n>'],
    ['Apple Mail, German', '> Am 01.12.2026 um 10:00 schrieb Support Desk <support@desk.test>:\n>'],
  ])('given a %s quote header, when the partner replies above it, then only the reply is the body', (_, header) => {
    const text = `Here it is, attached.\n\n${header}\n${quote}`;
    const message = messageOf({ text });
    expect(message).toMatchObject({
      body: 'Here it is, attached.',
      fullText: text,
      bodyShortened: false,
      textFrom: 'text',
    });
  });

  it.each([
    [
      'English',
      'From: Support Desk <support@desk.test>\nSent: Tuesday, December 1, 2026 10:00 AM\nTo: Pat <pat@acme.test>\nSubject: [A-1001] Docs',
    ],
    [
      'German',
      'Von: Support Desk <support@desk.test>\nGesendet: Dienstag, 1. Dezember 2026 10:00\nAn: Pat <pat@acme.test>\nBetreff: [A-1001] Docs',
    ],
    ['English, original message', '-----Original Message-----\nFrom: support@desk.test\nSent: Tuesday'],
    ['German, original message', '-----Ursprüngliche Nachricht-----\nVon: support@desk.test\nGesendet: Dienstag'],
  ])(
    'given an Outlook quote block (%s), when the partner replies above it, then only the reply is the body',
    (_, block) => {
      const message = messageOf({ text: `Anbei die Unterlagen.\n\n${block}\n\nPlease send the delivery note.` });
      expect(message.body).toBe('Anbei die Unterlagen.');
    },
  );

  it('given a signature after "-- ", then it is not in the body but stays in the full text', () => {
    const text = 'The invoice is attached.\n\n-- \nPat Partner\nAcme GmbH, Hamburg';
    expect(messageOf({ text })).toMatchObject({ body: 'The invoice is attached.', fullText: text });
  });

  it.each(['Sent from my iPhone', 'Von meinem iPhone gesendet'])(
    'given "%s" under the reply, then it is dropped',
    (line) => {
      expect(messageOf({ text: `Yes, Thursday works.\n\n${line}\n\n${quote}` }).body).toBe('Yes, Thursday works.');
    },
  );

  it('given only quoted lines (a forward with nothing added), then the whole text is the body rather than nothing', () => {
    expect(messageOf({ text: quote }).body).toBe(quote);
  });

  it('given Windows line ends and control characters, then the body has neither', () => {
    const message = messageOf({
      text: 'Line one\r\nLine\u0007 two\u0000\r\n\r\nOn Tue, 1 Dec 2026, Sam <s@desk.test> wrote:\r\n> old',
    });
    expect(message.body).toBe('Line one\nLine two');
  });

  it('given an email with no text at all (an attachment alone), then there is no message to make', () => {
    expect(inboundMessageOf({ text: '  \n', html: null })).toEqual({ kind: 'empty', html: null });
  });
});

describe('inboundMessageOf: an HTML-only email', () => {
  it('given Gmail HTML with a quote, when there is no text part, then the text is derived from the HTML before parsing', () => {
    const html =
      '<div dir="ltr">Thanks, <b>that works</b>.<br><br>Pat</div><br><div class="gmail_quote">' +
      '<div class="gmail_attr">On Tue, 1 Dec 2026 at 10:00, Support Desk &lt;support@desk.test&gt; wrote:<br></div>' +
      '<blockquote class="gmail_quote"><div>Please try again.</div></blockquote></div>';
    const message = messageOf({ text: null, html });
    expect(message.textFrom).toBe('html');
    expect(message.body).toBe('Thanks, that works.\n\nPat');
    expect(message.fullText).toContain('> Please try again.');
  });

  it('given Outlook HTML in German with its reply block, then only the reply is the body', () => {
    const html =
      '<p>Anbei.</p><div id="divRplyFwdMsg"><hr><b>Von:</b> Support Desk &lt;support@desk.test&gt;<br>' +
      '<b>Gesendet:</b> Dienstag, 1. Dezember 2026 10:00<br><b>Betreff:</b> [A-1001] Docs</div><p>Bitte senden</p>';
    expect(messageOf({ html, text: '' }).body).toBe('Anbei.');
  });
});

describe('inboundMessageOf: the body fits the domain', () => {
  it(`given a reply longer than ${BODY_MAX} characters, then it is shortened with a marker saying how much is left out`, () => {
    const reply = 'word '.repeat(5_000).trim();
    const message = messageOf({ text: reply });
    expect(message.bodyShortened).toBe(true);
    expect(message.body.length).toBeLessThanOrEqual(BODY_MAX);
    const omitted = Number(/\[… shortened: (\d+) more characters are in the full email\]$/.exec(message.body)?.[1]);
    expect(message.body.indexOf('\n\n[… shortened')).toBe(reply.length - omitted);
    expect(message.fullText).toBe(reply);
  });

  it('given a cut that would split an emoji, then the cut is before it', () => {
    const message = messageOf({ text: '😀'.repeat(BODY_MAX) });
    expect(message.body).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it(`given a full text over ${FULL_TEXT_MAX} characters, then the full text is shortened too`, () => {
    const message = messageOf({
      text: `Short reply.\n\nOn Tue, 1 Dec 2026, Sam <s@desk.test> wrote:\n${'> old\n'.repeat(30_000)}`,
    });
    expect(message.body).toBe('Short reply.');
    expect(message.fullText.length).toBeLessThanOrEqual(FULL_TEXT_MAX);
    expect(message.fullText).toMatch(/more characters are in the full email\]$/);
  });

  it('given lines far longer than the parser reads at once, then they are kept whole, and quoted ones stay quoted', () => {
    const long = 'x'.repeat(PARSED_LINE_MAX * 5);
    const message = messageOf({ text: `${long}\n\nOn Tue, 1 Dec 2026, Sam <s@desk.test> wrote:\n> ${long}` });
    expect(message.body).toBe(long);
  });
});

describe('sanitizedHtmlOf: HTML kept only once it is safe', () => {
  it('given scripts, styles, event handlers, images, forms and javascript: links, then none of them is kept', () => {
    const html =
      '<style>p{color:red}</style><script>alert(1)</script><p onclick="alert(2)" style="color:red" class="x">Hi ' +
      '<img src="https://tracker.test/open.gif"><img src="data:image/png;base64,AAAA">' +
      '<a href="javascript:alert(3)">one</a> <a href="JaVaScRiPt&#58;alert(4)">two</a> ' +
      '<a href="//evil.test/x">three</a> <iframe src="https://evil.test"></iframe>' +
      '<form action="https://evil.test"><input name="a"></form><svg><script>alert(5)</script></svg></p>';
    const clean = sanitizedHtmlOf(html) ?? '';
    for (const bad of [
      '<script',
      'alert',
      '<style',
      'color',
      'onclick',
      'class=',
      '<img',
      'tracker',
      'javascript',
      '//evil',
      '<iframe',
      '<form',
      '<input',
      '<svg',
    ]) {
      expect(clean.toLowerCase()).not.toContain(bad.toLowerCase());
    }
    expect(clean).toContain('<p>Hi ');
  });

  it('given ordinary formatting and web links, then they are kept, links with rel="noopener noreferrer nofollow"', () => {
    const clean = sanitizedHtmlOf(
      '<p><b>Bold</b> <a href="https://acme.test/doc" target="_blank">doc</a> <a href="mailto:pat@acme.test">mail</a></p>',
    );
    expect(clean).toBe(
      '<p><b>Bold</b> <a href="https://acme.test/doc" rel="noopener noreferrer nofollow">doc</a> ' +
        '<a href="mailto:pat@acme.test" rel="noopener noreferrer nofollow">mail</a></p>',
    );
  });

  it('given a message with HTML and text, then the HTML kept is the sanitised one', () => {
    const message = messageOf({ text: 'Hi', html: '<p>Hi<script>x()</script></p>' });
    expect(message.html).toBe('<p>Hi</p>');
    expect(inboundMessageOf({ text: 'Hi', html: '<script>x()</script>' })).toMatchObject({ html: null });
  });
});
