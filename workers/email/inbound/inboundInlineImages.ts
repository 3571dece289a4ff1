/**
 * Inline images of a received email: an image part with a Content-ID that the HTML shows with
 * `<img src="cid:…">`. Mail programs write both sides their own way — Outlook
 * `cid:image001.png@01D9A1B2.C3D4E5F0` with `Content-ID: <image001.png@01D9A1B2.C3D4E5F0>`,
 * Apple Mail a UUID in upper case that the HTML may spell in another case, some clients
 * %-encode the reference (RFC 2392) — so both are compared as one key: without the angle
 * brackets, %-decoded, trimmed, in lower case. Pure: no I/O.
 */

/** The key a Content-ID and a `cid:` reference are compared by. */
export function contentIdKey(id: string): string {
  let bare = id.trim();
  if (bare.startsWith('<') && bare.endsWith('>')) bare = bare.slice(1, -1).trim();
  try {
    bare = decodeURIComponent(bare);
  } catch {
    // a stray % is part of the id itself
  }
  return bare.toLowerCase();
}

/** `cid:` references in src, background and url(…) attributes alike: up to a quote, a space, `)` or `>`. */
const cidReference = /cid:([^"'\s)>]+)/gi;

/** The keys (`contentIdKey`) of every Content-ID the HTML refers to. */
export function referencedContentIds(html: string | null): Set<string> {
  const keys = new Set<string>();
  if (!html) return keys;
  for (const match of html.matchAll(cidReference)) keys.add(contentIdKey(match[1]!));
  return keys;
}

/** Where the desk serves a stored inline image (a relative path: the API's own origin). */
export function inlineImagePath(attachmentId: string): string {
  return `/api/support/attachments/${encodeURIComponent(attachmentId)}?disposition=inline`;
}

/** Whether `src` is an inline image path the desk wrote (`inlineImagePath` of an attachment id). */
export function isInlineImagePath(src: string): boolean {
  return /^\/api\/support\/attachments\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\?disposition=inline$/.test(
    src,
  );
}
