import { describe, expect, it } from 'vitest';
import { safeReturnPath } from '../../../web/src/lib/returnPath.js';

/** Sign-in's `next=`: back to a page of this app, never anywhere else (no open redirect). */
describe('safeReturnPath', () => {
  const origin = 'https://desk.example.com';

  it('when next is a path of this app, then sign-in returns there, query and fragment kept', () => {
    expect(safeReturnPath('/portal/threads/0b6f4c1e-0000-4000-8000-000000000001', origin)).toBe(
      '/portal/threads/0b6f4c1e-0000-4000-8000-000000000001',
    );
    expect(safeReturnPath('/admin/support?thread=abc&status=open#m1', origin)).toBe(
      '/admin/support?thread=abc&status=open#m1',
    );
    expect(safeReturnPath('/portal/../admin/support', origin)).toBe('/admin/support');
  });

  it.each([
    ['nothing', null],
    ['empty', ''],
    ['an absolute URL', 'https://evil.example/portal'],
    ['another scheme', 'javascript:alert(1)'],
    ['a protocol-relative URL', '//evil.example/portal'],
    ['a backslash that browsers read as a slash', '/\\evil.example'],
    ['backslashes only', '\\\\evil.example'],
    ['a tab inside the slashes', '/\t/evil.example'],
    ['a line break', '/portal\n//evil.example'],
    ['an encoded slash in the path', '/%2F%2Fevil.example'],
    ['an encoded backslash in the path', '/%5Cevil.example'],
    ['a relative path', 'portal/threads/1'],
    ['the sign-in page itself', '/sign-in?next=/portal'],
    ['a very long path', `/${'a'.repeat(2001)}`],
  ])('when next is %s, then it is refused', (_what, next) => {
    expect(safeReturnPath(next, origin)).toBeNull();
  });
});
