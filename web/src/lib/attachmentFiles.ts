import { useEffect, useState } from 'react';
import { getGuestToken, identityHeaders, problemError } from './api';

/**
 * A file's bytes for the page. Staff and partners fetch a file with their session cookie, so an
 * `<img src>` or a link does it. A guest's right is the X-Guest-Token header, which neither
 * carries: for a guest the page fetches the file with the header and shows it through an object
 * URL, revoked once the page no longer shows it.
 */

export const needsHeaderFetch = (): boolean => getGuestToken() !== null;

/** The file's bytes, fetched with the guest's header (or the session cookie). */
export async function fetchFile(url: string, signal?: AbortSignal): Promise<Blob> {
  const res = await fetch(url, {
    headers: identityHeaders('GET'),
    credentials: 'same-origin',
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) {
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    throw problemError(res.status, res.statusText, parsed);
  }
  return res.blob();
}

/**
 * The address to put in `src`: the URL itself, or for a guest an object URL of the fetched bytes
 * (null until they are in; revoked when the URL changes or the element goes away).
 */
export function useFileSource(url: string | null): { src: string | null; failed: boolean } {
  const direct = !needsHeaderFetch();
  const [fetched, setFetched] = useState<{ url: string; src: string | null; failed: boolean } | null>(null);
  useEffect(() => {
    if (direct || !url) return;
    const controller = new AbortController();
    let objectUrl: string | null = null;
    fetchFile(url, controller.signal)
      .then((blob) => {
        objectUrl = URL.createObjectURL(blob);
        setFetched({ url, src: objectUrl, failed: false });
      })
      .catch((error: unknown) => {
        if (error instanceof DOMException && error.name === 'AbortError') return;
        setFetched({ url, src: null, failed: true });
      });
    return () => {
      controller.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [direct, url]);
  if (!url) return { src: null, failed: false };
  if (direct) return { src: url, failed: false };
  return fetched?.url === url ? { src: fetched.src, failed: fetched.failed } : { src: null, failed: false };
}

/**
 * A guest's click on a download or preview link: fetch with the header, then save it under its
 * name (download) or open it in a new tab (preview). The object URL is revoked once the browser
 * has taken it.
 */
export async function openFileWithHeader(url: string, fileName: string, as: 'download' | 'preview'): Promise<void> {
  // a tab opened after an await is a pop-up: open it now, fill it once the bytes are in
  const tab = as === 'preview' ? window.open('', '_blank') : null;
  const blob = await fetchFile(url);
  const objectUrl = URL.createObjectURL(blob);
  if (tab) {
    tab.location.href = objectUrl;
  } else {
    const a = document.createElement('a');
    a.href = objectUrl;
    a.download = fileName;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  // the new tab or the download has its own reference by then
  setTimeout(() => URL.revokeObjectURL(objectUrl), 60_000);
}
