import { FILE_NAME_MAX } from '../../domain/index.js';

/**
 * A file's name as people see it, made safe to show and to send back in Content-Disposition: no
 * folders (only what follows the last / or \), no control or bidirectional formatting characters
 * (U+202E would make `exe.pdf` read `fdp.exe`), no leading dots or trailing dots and spaces,
 * runs of white space as one space, at most FILE_NAME_MAX characters with the extension kept.
 * Nothing left: `file`.
 */
export function cleanFileName(claimed: string | undefined | null, fallback = 'file'): string {
  let name = (claimed ?? '').normalize('NFC');
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  name = name
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/\s+/gu, ' ')
    .replace(/^[\s.]+/u, '')
    .replace(/[\s.]+$/u, '');
  if (!name) return fallback;
  const chars = [...name];
  if (chars.length <= FILE_NAME_MAX) return name;
  const ext = extensionOf(name);
  const keep = ext && ext.length < 20 ? `.${ext}` : '';
  return (
    chars
      .slice(0, FILE_NAME_MAX - keep.length)
      .join('')
      .trimEnd() + keep
  );
}

/** The extension of a name, lowercase, without the dot; '' when it has none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : '';
}
