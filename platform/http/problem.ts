import { plainWords, type ProblemCode } from './plainWords.js';

/**
 * RFC 9457 problem details. Every error answer of the API is one of these, with
 * `application/problem+json`; `errors` names the failing fields of bad input.
 */
export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/**
 * An answer that refuses. `detail` is the sentence a person reads: without one, the code's
 * sentence from plainWords.ts. Machine-readable facts go in extensions (code, errors, revision).
 */
export class HttpProblem extends Error {
  readonly detail: string;

  constructor(
    readonly status: number,
    readonly title: string,
    detail: string | undefined,
    readonly extensions: { code: ProblemCode; errors?: FieldError[]; [key: string]: unknown },
    readonly headers: Record<string, string> = {},
  ) {
    const sentence = detail ?? plainWords(extensions.code);
    super(sentence);
    this.detail = sentence;
    this.name = 'HttpProblem';
  }

  toBody(): ProblemBody {
    return {
      type: `https://support-desk.dev/problems/${this.extensions.code}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...this.extensions,
    };
  }
}

export const problems = {
  badRequest: (errors: FieldError[], detail?: string) =>
    new HttpProblem(400, 'Bad Request', detail, { code: 'invalid_input', errors }),
  unauthorized: (detail?: string) => new HttpProblem(401, 'Unauthorized', detail, { code: 'unauthenticated' }),
  forbidden: (detail?: string) => new HttpProblem(403, 'Forbidden', detail, { code: 'forbidden' }),
  notFound: (detail?: string, code: ProblemCode = 'not_found') => new HttpProblem(404, 'Not Found', detail, { code }),
  conflict: (code: ProblemCode = 'conflict', extra: Record<string, unknown> = {}) =>
    new HttpProblem(409, 'Conflict', undefined, { code, ...extra }),
  tooManyRequests: (retryAfterSeconds: number, detail?: string) =>
    new HttpProblem(
      429,
      'Too Many Requests',
      detail,
      { code: 'rate_limited', retryAfterSeconds },
      {
        'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
      },
    ),
  payloadTooLarge: () => new HttpProblem(413, 'Content Too Large', undefined, { code: 'body_too_large' }),
  unsupportedMediaType: () =>
    new HttpProblem(415, 'Unsupported Media Type', undefined, { code: 'unsupported_media_type' }),
  serviceUnavailable: (retryAfterSeconds = 5) =>
    new HttpProblem(
      503,
      'Service Unavailable',
      undefined,
      { code: 'unavailable' },
      { 'Retry-After': String(retryAfterSeconds) },
    ),
};
