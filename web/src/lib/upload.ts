import { ApiError, identityHeaders, problemError } from './api';
import { reportClientError } from './clientLogs';
import type { UploadedAttachment } from './types';

export const uploadPath = '/api/support/attachments';

export interface UploadOptions {
  /** Bytes sent so far, of the request's total (the multipart body, a little more than the file). */
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * One file to the desk's staging area (`POST /api/support/attachments`, multipart, the part named
 * `file`), answering its attachment as the uploader sees it. XMLHttpRequest rather than fetch:
 * only it reports an upload's progress. It acts for whoever `api.ts` acts for (the session cookie
 * and the CSRF token, or a guest page's link token). A refusal rejects with the problem's
 * ApiError; an abort with an AbortError.
 */
export function uploadAttachment(
  file: Blob,
  fileName: string,
  options: UploadOptions = {},
): Promise<UploadedAttachment> {
  const { onProgress, signal } = options;
  return new Promise<UploadedAttachment>((resolve, reject) => {
    if (signal?.aborted) return reject(new DOMException('The upload was cancelled.', 'AbortError'));
    const xhr = new XMLHttpRequest();
    xhr.open('POST', uploadPath);
    xhr.setRequestHeader('accept', 'application/json, application/problem+json');
    for (const [name, value] of Object.entries(identityHeaders('POST'))) xhr.setRequestHeader(name, value);
    if (onProgress) {
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) onProgress(event.loaded, event.total);
      });
    }
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);

    xhr.addEventListener('load', () => {
      done();
      let parsed: unknown = undefined;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        parsed = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        const first = (parsed as { attachments?: UploadedAttachment[] } | undefined)?.attachments?.[0];
        if (first) return resolve(first);
        return reject(
          new ApiError(xhr.status, 'Unexpected answer', 'The desk did not say what it stored.', undefined, {}),
        );
      }
      if (xhr.status >= 500) {
        void reportClientError('error', `POST ${uploadPath} answered ${xhr.status}`).then((reported) =>
          reject(problemError(xhr.status, xhr.statusText, parsed, reported)),
        );
        return;
      }
      reject(problemError(xhr.status, xhr.statusText, parsed));
    });
    xhr.addEventListener('error', () => {
      done();
      void reportClientError('warn', `network error: POST ${uploadPath}`);
      reject(
        new ApiError(
          0,
          'Network error',
          'The desk could not be reached. Check your connection and try again.',
          'network',
          {},
        ),
      );
    });
    xhr.addEventListener('abort', () => {
      done();
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
    });

    const form = new FormData();
    // a File under the name to send: some FormData implementations drop the name given beside a plain Blob
    form.append(
      'file',
      file instanceof File && file.name === fileName ? file : new File([file], fileName, { type: file.type }),
    );
    xhr.send(form);
  });
}
