/**
 * Where sign-in may send someone back to (`/sign-in?next=…`): only a path of this app on this
 * origin, never an address elsewhere. Refused: absolute URLs (`https://evil.example`), protocol-
 * relative ones (`//evil.example`), backslashes (`/\evil.example`, which browsers read as `//`),
 * control characters, percent-encoded slashes in the path, and the sign-in
 * page itself (a loop). Pure, so it is tested without a browser.
 */
export function safeReturnPath(next: string | null | undefined, origin: string): string | null {
  if (!next || next.length > 2000) return null;
  if (!next.startsWith('/') || next.startsWith('//')) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return null;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return null;
  }
  if (url.origin !== new URL(origin).origin || /%2f|%5c/i.test(url.pathname)) return null;
  if (url.pathname === '/sign-in' || url.pathname.startsWith('/sign-in/')) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}
