/**
 * The emails, as HTML and plain text. Everything a person wrote (subject, body, names) is
 * HTML-escaped in the HTML part; subject lines are plain text on one line. A guest's email
 * carries their own guest link while it works (the sender rebuilds the token as it sends, see
 * emailSender.ts); once the link has ended, the email says so instead and carries no link.
 */

/** Who reads the email decides where its link goes: the support address, an agent, a partner, a guest. */
export type EmailAudience = 'support' | 'staff' | 'partner' | 'guest';

/** What a guest's email says about their link; decided when it is sent. */
export type GuestLinkInEmail =
  /** The guest link URL (`<portal>/t/<token>`), and when it stops working. */
  | { state: 'working'; url: string; expiresAt: string }
  /** Revoked or expired: the email carries no link. */
  | { state: 'ended' }
  /** A link whose token nothing here can rebuild (issued before links were emailed, or under another secret). */
  | { state: 'unavailable' };

export type EmailRecipient =
  | { audience: 'support' }
  | { audience: 'staff' }
  | { audience: 'partner' }
  | { audience: 'guest'; link: GuestLinkInEmail };

/** The settings an email is rendered with, as of its event. */
export interface EmailSettings {
  portalBaseUrl: string;
  supportEmail: string;
}

export interface ThreadEmailFacts {
  threadId: string;
  subject: string;
  /** The assignment's reference, e.g. A-1001. */
  reference: string;
}

/**
 * The files of the message an email tells of: listed by name and size, never attached (a 25 MB
 * file is no email's business). A partner or guest gets each as a signed link that expires
 * (`signedPath` under the portal URL: GET /api/attachments/<id>/signed?expires=…&signature=…,
 * no sign-in needed); staff a link into the app (the download, for the signed-in). Only external
 * messages' files are ever here: an internal note sends no email.
 */
export interface EmailFiles {
  files: EmailFile[];
  /** When the signed links stop working (ISO); null: none was signed (no secret), only names are listed. */
  linksExpireAt: string | null;
}

export interface EmailFile {
  attachmentId: string;
  fileName: string;
  sizeBytes: number;
  /** The signed link's path (and query) under the portal URL; null: none. */
  signedPath: string | null;
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
      files?: EmailFiles;
    }
  | {
      template: 'query_raised_ack';
      thread: ThreadEmailFacts;
      messageId: string;
      body: string;
      /** The query is a follow-up: the sender replied by email to a closed thread, which takes no messages. */
      followUp?: boolean;
      files?: EmailFiles;
    }
  | {
      template: 'staff_reply';
      thread: ThreadEmailFacts;
      messageId: string;
      body: string;
      authorName: string;
      files?: EmailFiles;
    }
  /** Staff told that a partner or guest wrote: only what they wrote, never an internal note. */
  | {
      template: 'partner_wrote';
      thread: ThreadEmailFacts;
      messageId: string;
      body: string;
      authorName: string;
      authorKind: 'partner' | 'guest';
      /** An agent's own notification (their reply by email becomes their staff reply); false: the team address's. */
      toAssignee: boolean;
      files?: EmailFiles;
    }
  /** Staff told that a service-level target is close or past (a warning, a breach); its event id names the email. */
  | {
      template: 'sla_alert';
      thread: ThreadEmailFacts;
      eventId: string;
      kind: 'warning' | 'breach';
      metric: 'firstResponse' | 'nextResponse' | 'resolution';
      dueAt: string;
      /** The thread's assignee; false: the team address (nobody is assigned). */
      toAssignee: boolean;
    }
  /** A resolution has no message: its event id names the email. */
  | { template: 'thread_resolved'; thread: ThreadEmailFacts; eventId: string }
  /** A guest link handed to its recipient; its event id names the email. */
  | {
      template: 'guest_link_issued';
      eventId: string;
      issuedByName: string;
      about:
        { kind: 'thread'; thread: ThreadEmailFacts } | { kind: 'assignment'; assignmentId: string; reference: string };
    };

/** What an email says; its headers are decided with its row (threadingHeaders.ts, emailDecider.ts). */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export function threadLinks(portalBaseUrl: string, threadId: string) {
  const id = encodeURIComponent(threadId);
  return {
    portal: `${portalBaseUrl}/portal/threads/${id}`,
    staffInbox: `${portalBaseUrl}/admin/support?thread=${id}`,
  };
}

/**
 * A guest's link: `<portal>/t/<token>`; an assignment link opens one of its threads with
 * `?thread=` (the guest page's own parameter). A thread link opens its thread by itself.
 */
export function guestLinkUrl(
  portalBaseUrl: string,
  token: string,
  scope: 'thread' | 'assignment',
  threadId: string | null,
): string {
  const base = `${portalBaseUrl}/t/${token}`;
  return scope === 'assignment' && threadId ? `${base}?thread=${encodeURIComponent(threadId)}` : base;
}

/** The token a stored preview shows instead of the real one (the real one is never stored). */
export const ELIDED_TOKEN = '…';

/** An instant as people read it in an email, the same wherever it is rendered: 2025-06-01 14:03 UTC. */
export function emailTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A file's size as people read it: 812 bytes, 48 KB, 2.4 MB. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
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
  /** The files of the message, each with its link (none: the name and size alone), and a word on the links. */
  files?: { items: { name: string; size: string; url: string | null }[]; note?: string };
  facts?: [string, string][];
  /** Absent: the email has no link (a guest whose link has ended). */
  link?: { label: string; url: string };
  /** Shown where the link would be, when there is none. */
  notice?: string;
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
  const files = l.files?.items.length
    ? `<p style="margin:16px 0 4px;color:#555">${l.files.items.length === 1 ? 'File' : 'Files'}:</p><ul style="margin:0;padding-left:20px">${l.files.items
        .map(
          (f) =>
            `<li>${f.url ? `<a href="${escapeHtml(f.url)}">${escapeHtml(f.name)}</a>` : escapeHtml(f.name)} (${escapeHtml(f.size)})</li>`,
        )
        .join(
          '',
        )}</ul>${l.files.note ? `<p style="margin:4px 0;color:#777;font-size:13px">${escapeHtml(l.files.note)}</p>` : ''}`
    : '';
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(l.subject)}</title></head>`,
    '<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;font-size:15px;line-height:1.5;color:#222">',
    `<p>${escapeHtml(l.intro)}</p>`,
    facts,
    quoted,
    files,
    l.link ? `<p style="margin-top:20px"><a href="${escapeHtml(l.link.url)}">${escapeHtml(l.link.label)}</a></p>` : '',
    l.notice ? `<p style="margin-top:20px">${escapeHtml(l.notice)}</p>` : '',
    l.footer ? `<p style="color:#777;font-size:13px">${escapeHtml(l.footer)}</p>` : '',
    '</body></html>',
  ]
    .filter(Boolean)
    .join('\n');
  const text = [
    l.intro,
    l.facts?.length ? l.facts.map(([k, v]) => `${k}: ${v}`).join('\n') : undefined,
    l.quoted ? `${l.quoted.by} wrote:\n${quoteText(l.quoted.body)}` : undefined,
    l.files?.items.length
      ? [
          `${l.files.items.length === 1 ? 'File' : 'Files'}:`,
          ...l.files.items.map((f) => `- ${f.name} (${f.size})${f.url ? `: ${f.url}` : ''}`),
          ...(l.files.note ? [l.files.note] : []),
        ].join('\n')
      : undefined,
    l.link ? `${l.link.label}: ${l.link.url}` : undefined,
    l.notice,
    l.footer,
  ]
    .filter((part): part is string => Boolean(part))
    .join('\n\n');
  return { html, text: `${text}\n` };
}

/** Where the email's button goes, and what is said about it, for this recipient. */
function recipientLink(
  recipient: EmailRecipient,
  links: ReturnType<typeof threadLinks> | undefined,
  settings: EmailSettings,
  what: string,
): Pick<Layout, 'link' | 'notice' | 'footer'> {
  switch (recipient.audience) {
    case 'support':
    case 'staff':
      return links ? { link: { label: 'Open the thread in the support inbox', url: links.staffInbox } } : {};
    case 'partner':
      // a partner who is not signed in signs in first and comes back to this thread
      return links ? { link: { label: 'View the conversation', url: links.portal } } : {};
    case 'guest': {
      const { link } = recipient;
      switch (link.state) {
        case 'working':
          return {
            link: { label: 'View the conversation', url: link.url },
            footer: `This link is yours alone: anyone who has it can read and answer ${what} until ${emailTime(link.expiresAt)}. Please do not forward this email.`,
          };
        case 'ended':
          return {
            notice: `Your guest link to ${what} has ended (it expired, or our support team switched it off), so this email carries none. To continue, ask support for a new link: ${settings.supportEmail}.`,
          };
        case 'unavailable':
          return {
            notice: `This email cannot carry your guest link to ${what}. If you no longer have the link our support team gave you, ask them for a new one: ${settings.supportEmail}.`,
          };
      }
    }
  }
}

/** Where the app serves a file to the signed-in (staff follow it from their email). */
export function appAttachmentUrl(portalBaseUrl: string, attachmentId: string): string {
  return `${portalBaseUrl}/api/support/attachments/${encodeURIComponent(attachmentId)}`;
}

/**
 * The files as this reader gets them: staff a link into the app; a partner, or a guest while
 * their link works, the signed link; a guest whose link has ended the names alone (the email
 * hands out no new way in).
 */
function filesFor(
  content: { files?: EmailFiles },
  recipient: EmailRecipient,
  settings: EmailSettings,
): Layout['files'] | undefined {
  const listed = content.files;
  if (!listed?.files.length) return undefined;
  const staff = recipient.audience === 'support' || recipient.audience === 'staff';
  const signed =
    recipient.audience === 'partner' || (recipient.audience === 'guest' && recipient.link.state === 'working');
  const items = listed.files.map((f) => ({
    name: f.fileName,
    size: fileSize(f.sizeBytes),
    url: staff
      ? appAttachmentUrl(settings.portalBaseUrl, f.attachmentId)
      : signed && f.signedPath
        ? `${settings.portalBaseUrl}${f.signedPath}`
        : null,
  }));
  const note = staff
    ? undefined
    : signed && listed.linksExpireAt && items.some((f) => f.url)
      ? `The file links work until ${emailTime(listed.linksExpireAt)}; after that, open the files in the conversation.`
      : 'Open the files in the conversation.';
  return { items, ...(note ? { note } : {}) };
}

/** Renders one email for one recipient. Pure: the same input always gives the same email. */
export function renderEmail(content: EmailContent, recipient: EmailRecipient, settings: EmailSettings): RenderedEmail {
  if (content.template === 'guest_link_issued') return renderGuestLinkIssued(content, recipient, settings);
  const { thread } = content;
  const links = threadLinks(settings.portalBaseUrl, thread.threadId);
  const topic = plainLine(`[${thread.reference}] ${thread.subject}`);
  const link = recipientLink(recipient, links, settings, 'this conversation');
  const files = 'files' in content ? filesFor(content, recipient, settings) : undefined;
  const withFiles = files ? { files } : {};
  let rendered: RenderedEmail;
  switch (content.template) {
    case 'query_raised_support': {
      const subject = plainLine(`New query ${topic}`);
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
          ...withFiles,
          ...link,
        }),
      };
      break;
    }
    case 'query_raised_ack': {
      const subject = plainLine(`We received your query ${topic}`);
      rendered = {
        subject,
        ...layout({
          subject,
          intro: content.followUp
            ? `The conversation you replied to about assignment ${thread.reference} was closed, so your email ` +
              'opened a new conversation, linked to the closed one. We will answer there soon.'
            : `Thank you: we received your query about assignment ${thread.reference} and will answer soon.`,
          facts: [['Subject', thread.subject]],
          quoted: { by: 'You', body: content.body },
          ...withFiles,
          ...link,
        }),
      };
      break;
    }
    case 'staff_reply': {
      const subject = plainLine(`Re: ${topic}`);
      rendered = {
        subject,
        ...layout({
          subject,
          intro: `${content.authorName} replied to your query about assignment ${thread.reference}.`,
          facts: [['Subject', thread.subject]],
          quoted: { by: content.authorName, body: content.body },
          ...withFiles,
          ...link,
          ...(link.link ? { link: { ...link.link, label: 'Reply in the conversation' } } : {}),
        }),
      };
      break;
    }
    case 'partner_wrote': {
      const subject = plainLine(`Re: ${topic}`);
      const who = content.authorKind === 'guest' ? `${content.authorName} (guest)` : content.authorName;
      rendered = {
        subject,
        ...layout({
          subject,
          intro: content.toAssignee
            ? `${who} wrote in the conversation about assignment ${thread.reference} assigned to you.`
            : `${who} wrote in the conversation about assignment ${thread.reference}, which nobody is assigned.`,
          facts: [['Subject', thread.subject]],
          quoted: { by: who, body: content.body },
          ...withFiles,
          ...link,
          ...(content.toAssignee
            ? {
                footer:
                  'Reply to this email to answer them: your reply is posted as your message in the conversation and emailed to them. To stop these emails, turn them off in My settings.',
              }
            : {}),
        }),
      };
      break;
    }
    case 'sla_alert': {
      const what = { firstResponse: 'first reply', nextResponse: 'reply', resolution: 'resolution' }[content.metric];
      const due = new Date(content.dueAt).toUTCString().replace('GMT', 'UTC');
      const subject = plainLine(`${content.kind === 'breach' ? 'Overdue' : 'Due soon'}: ${what} ${topic}`);
      const whose = content.toAssignee ? 'assigned to you' : 'which nobody is assigned';
      rendered = {
        subject,
        ...layout({
          subject,
          intro:
            content.kind === 'breach'
              ? `The ${what} in the conversation about assignment ${thread.reference}, ${whose}, was due ${due} and is overdue.`
              : `The ${what} in the conversation about assignment ${thread.reference}, ${whose}, is due ${due}.`,
          facts: [
            ['Subject', thread.subject],
            ['Due', due],
          ],
          ...link,
        }),
      };
      break;
    }
    case 'thread_resolved': {
      const subject = plainLine(`Resolved: ${topic}`);
      rendered = {
        subject,
        ...layout({
          subject,
          intro: `Your query about assignment ${thread.reference} was marked as resolved. If something is still open, reply in the conversation and it opens again.`,
          facts: [['Subject', thread.subject]],
          ...link,
        }),
      };
      break;
    }
  }
  return rendered;
}

/** The email handing a guest their link: into the thread's conversation, or on its own for an assignment. */
function renderGuestLinkIssued(
  content: Extract<EmailContent, { template: 'guest_link_issued' }>,
  recipient: EmailRecipient,
  settings: EmailSettings,
): RenderedEmail {
  const { about } = content;
  const what = about.kind === 'thread' ? 'this conversation' : `the queries about assignment ${about.reference}`;
  const link = recipientLink(recipient, undefined, settings, what);
  const subject =
    about.kind === 'thread'
      ? plainLine(`Your link to the conversation [${about.thread.reference}] ${about.thread.subject}`)
      : plainLine(`Your link to the queries about assignment ${about.reference}`);
  const invited =
    about.kind === 'thread'
      ? `${content.issuedByName} of our support team invited you to the conversation about assignment ${about.thread.reference}.`
      : `${content.issuedByName} of our support team invited you to follow the queries about assignment ${about.reference}, and to raise new ones.`;
  // without a working link there is nothing "below" to open
  const intro = link.link
    ? `${invited} You need no account: the link below opens ${about.kind === 'thread' ? 'it, and you can answer there' : 'them'}.`
    : invited;
  return {
    subject,
    ...layout({
      subject,
      intro,
      ...(about.kind === 'thread' ? { facts: [['Subject', about.thread.subject]] as [string, string][] } : {}),
      ...link,
      ...(link.link
        ? { link: { ...link.link, label: about.kind === 'thread' ? 'Open the conversation' : 'Open the queries' } }
        : {}),
    }),
  };
}
