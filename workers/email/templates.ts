/**
 * The emails, as HTML and plain text. Everything a person wrote (subject, body, names) is
 * HTML-escaped in the HTML part; subject lines are plain text on one line. Guests never get a
 * token from here (the raw token is never stored): they are pointed at the thread and told the
 * link they were given earlier still works.
 */

/** Who reads the email decides where its link goes. */
export type EmailAudience = 'support' | 'partner' | 'guest';

export interface ThreadEmailFacts {
  threadId: string;
  subject: string;
  /** The assignment's reference, e.g. A-1001. */
  reference: string;
}

export type EmailContent =
  | {
      template: 'query_raised_support';
      thread: ThreadEmailFacts;
      messageId: string;
      body: string;
      raisedByName: string;
      queryType: string;
      priority: string;
    }
  | { template: 'query_raised_ack'; thread: ThreadEmailFacts; messageId: string; body: string }
  | { template: 'staff_reply'; thread: ThreadEmailFacts; messageId: string; body: string; authorName: string }
  /** A resolution has no message: its event id names the email. */
  | { template: 'thread_resolved'; thread: ThreadEmailFacts; eventId: string };

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** Message-ID, In-Reply-To and References: mail clients thread the conversation on them. */
  headers: Record<string, string>;
}

const HOST = 'support-desk';

/** The Message-ID every email of the thread replies to. */
export function threadRootMessageId(threadId: string): string {
  return `<thread-${threadId}@${HOST}>`;
}

export function messageIdHeader(threadId: string, messageId: string): string {
  return `<thread-${threadId}.${messageId}@${HOST}>`;
}

export function threadLinks(portalBaseUrl: string, threadId: string) {
  const id = encodeURIComponent(threadId);
  return {
    portal: `${portalBaseUrl}/portal/threads/${id}`,
    staffInbox: `${portalBaseUrl}/admin/support?thread=${id}`,
  };
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
}

// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

/** A header value a person wrote: one line, no control characters (no header injection). */
export function plainLine(text: string): string {
  return text.replace(controlCharacters, ' ').replace(/\s+/g, ' ').trim();
}

function paragraphs(text: string): string {
  return escapeHtml(text.replace(/\r\n?/g, '\n')).replace(/\n/g, '<br>\n');
}

function quoteText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

interface Layout {
  subject: string;
  intro: string;
  /** A person's words, shown quoted. */
  quoted?: { by: string; body: string };
  facts?: [string, string][];
  link: { label: string; url: string };
  footer?: string;
}

function layout(l: Layout): { html: string; text: string } {
  const facts = l.facts?.length
    ? `<table role="presentation" style="margin:12px 0;border-collapse:collapse">${l.facts
        .map(
          ([k, v]) =>
            `<tr><td style="padding:2px 12px 2px 0;color:#555">${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const quoted = l.quoted
    ? `<p style="margin:16px 0 4px;color:#555">${escapeHtml(l.quoted.by)} wrote:</p>` +
      `<blockquote style="margin:0;padding:8px 12px;border-left:3px solid #ccc">${paragraphs(l.quoted.body)}</blockquote>`
    : '';
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(l.subject)}</title></head>`,
    '<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;font-size:15px;line-height:1.5;color:#222">',
    `<p>${escapeHtml(l.intro)}</p>`,
    facts,
    quoted,
    `<p style="margin-top:20px"><a href="${escapeHtml(l.link.url)}">${escapeHtml(l.link.label)}</a></p>`,
    l.footer ? `<p style="color:#777;font-size:13px">${escapeHtml(l.footer)}</p>` : '',
    '</body></html>',
  ]
    .filter(Boolean)
    .join('\n');
  const text = [
    l.intro,
    l.facts?.length ? l.facts.map(([k, v]) => `${k}: ${v}`).join('\n') : undefined,
    l.quoted ? `${l.quoted.by} wrote:\n${quoteText(l.quoted.body)}` : undefined,
    `${l.link.label}: ${l.link.url}`,
    l.footer,
  ]
    .filter((part): part is string => Boolean(part))
    .join('\n\n');
  return { html, text: `${text}\n` };
}

const GUEST_FOOTER =
  'To open the conversation, use the guest link you received earlier: it still works until it expires or is revoked.';

function recipientLink(audience: EmailAudience, links: ReturnType<typeof threadLinks>) {
  return audience === 'support'
    ? { label: 'Open the thread in the support inbox', url: links.staffInbox }
    : { label: 'View the conversation', url: links.portal };
}

/** Renders one email for one audience. Pure: the same input always gives the same email. */
export function renderEmail(content: EmailContent, audience: EmailAudience, portalBaseUrl: string): RenderedEmail {
  const { thread } = content;
  const links = threadLinks(portalBaseUrl, thread.threadId);
  const topic = plainLine(`[${thread.reference}] ${thread.subject}`);
  const link = recipientLink(audience, links);
  const footer = audience === 'guest' ? GUEST_FOOTER : undefined;
  let rendered: { subject: string; html: string; text: string };
  let messageId: string;
  switch (content.template) {
    case 'query_raised_support': {
      const subject = plainLine(`New query ${topic}`);
      messageId = content.messageId;
      rendered = {
        subject,
        ...layout({
          subject,
          intro: `${content.raisedByName} raised a new query about assignment ${thread.reference}.`,
          facts: [
            ['Subject', thread.subject],
            ['Query type', content.queryType],
            ['Priority', content.priority],
          ],
          quoted: { by: content.raisedByName, body: content.body },
          link,
        }),
      };
      break;
    }
    case 'query_raised_ack': {
      const subject = plainLine(`We received your query ${topic}`);
      messageId = content.messageId;
      rendered = {
        subject,
        ...layout({
          subject,
          intro: `Thank you: we received your query about assignment ${thread.reference} and will answer soon.`,
          facts: [['Subject', thread.subject]],
          quoted: { by: 'You', body: content.body },
          link,
          footer,
        }),
      };
      break;
    }
    case 'staff_reply': {
      const subject = plainLine(`Re: ${topic}`);
      messageId = content.messageId;
      rendered = {
        subject,
        ...layout({
          subject,
          intro: `${content.authorName} replied to your query about assignment ${thread.reference}.`,
          facts: [['Subject', thread.subject]],
          quoted: { by: content.authorName, body: content.body },
          link: { ...link, label: 'Reply in the conversation' },
          footer,
        }),
      };
      break;
    }
    case 'thread_resolved': {
      const subject = plainLine(`Resolved: ${topic}`);
      messageId = content.eventId;
      rendered = {
        subject,
        ...layout({
          subject,
          intro: `Your query about assignment ${thread.reference} was marked as resolved. If something is still open, reply in the conversation and it opens again.`,
          facts: [['Subject', thread.subject]],
          link,
          footer,
        }),
      };
      break;
    }
  }
  const root = threadRootMessageId(thread.threadId);
  return {
    ...rendered,
    headers: {
      'Message-ID': messageIdHeader(thread.threadId, messageId),
      'In-Reply-To': root,
      References: root,
    },
  };
}
