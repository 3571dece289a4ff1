import { convert } from 'html-to-text';
import sanitizeHtml from 'sanitize-html';
import { contentIdKey, isInlineImagePath } from './inboundInlineImages.js';

/**
 * The HTML of a received email, made safe to keep: a small set of text tags, links to web and
 * mail addresses only, no scripts, styles, event handlers, images (a remote image is a read
 * receipt; an inline one is bulk) or forms. The HTML is never shown raw; this is what is kept.
 * The one image kept is an inline image of the email itself once the desk stored it: its `cid:`
 * reference rewritten to the stored copy (`/api/support/attachments/<id>?disposition=inline`).
 */

/** Past this much HTML the email's text stands alone: nobody reads a megabyte of markup. */
export const HTML_INPUT_MAX = 1_000_000;
/** Sanitised HTML longer than this is not kept (the text still is). */
export const SANITIZED_HTML_MAX = 200_000;

const safeHtml: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'div',
    'span',
    'blockquote',
    'pre',
    'code',
    'b',
    'strong',
    'i',
    'em',
    'u',
    's',
    'ul',
    'ol',
    'li',
    'a',
    'hr',
  ],
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // the text of these is no content of the message: drop it with the tag
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'template', 'svg', 'math'],
  transformTags: {
    a: (tagName, attribs) => ({
      tagName,
      attribs: {
        ...(attribs.href ? { href: attribs.href } : {}),
        rel: 'noopener noreferrer nofollow',
      },
    }),
  },
};

/**
 * The email's HTML made safe, or null when there is none (or too much to keep). `inlineImages`:
 * the stored copies of its inline images, by Content-ID key (`contentIdKey`) → path; an
 * `<img src="cid:…">` of one of them is kept pointing at its copy, every other image dropped.
 */
export function sanitizedHtmlOf(
  html: string | null,
  inlineImages: ReadonlyMap<string, string> = new Map(),
): string | null {
  if (html === null || html.trim() === '' || html.length > HTML_INPUT_MAX) return null;
  const options: sanitizeHtml.IOptions =
    inlineImages.size === 0
      ? safeHtml
      : {
          ...safeHtml,
          allowedTags: [...(safeHtml.allowedTags || []), 'img'],
          allowedAttributes: { ...safeHtml.allowedAttributes, img: ['src', 'alt'] },
          transformTags: {
            ...safeHtml.transformTags,
            img: (tagName, attribs) => {
              const src = /^cid:/i.test(attribs.src ?? '')
                ? inlineImages.get(contentIdKey((attribs.src ?? '').slice(4)))
                : undefined;
              return { tagName, attribs: src ? { src, ...(attribs.alt ? { alt: attribs.alt } : {}) } : {} };
            },
          },
          // an image that is not one of the stored copies goes, as without any
          exclusiveFilter: (frame) => frame.tag === 'img' && !isInlineImagePath(frame.attribs.src ?? ''),
        };
  const clean = sanitizeHtml(html, options).trim();
  return clean === '' || clean.length > SANITIZED_HTML_MAX ? null : clean;
}

/**
 * The text of an HTML-only email, for the reply parser: block quotes become `>` lines and
 * line breaks stay, so quoted history and signatures are found as in a plain-text email.
 */
export function textOfHtml(html: string): string {
  return convert(html.slice(0, HTML_INPUT_MAX), {
    wordwrap: false,
    selectors: [
      { selector: 'img', format: 'skip' },
      // Outlook draws a rule above its reply block: as a line of dashes it would stay in the reply
      { selector: 'hr', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    ],
  });
}
