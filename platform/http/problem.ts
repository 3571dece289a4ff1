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

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: { code?: string; errors?: FieldError[]; [key: string]: unknown } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }

  toBody(): ProblemBody {
    const code = this.extensions.code;
    return {
      type: code ? `https://support-desk.dev/problems/${code}` : 'about:blank',
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...this.extensions,
    };
  }
}

export const problems = {
  badRequest: (errors: FieldError[], detail = 'the request has invalid fields') =>
    new HttpProblem(400, 'Bad Request', detail, { code: 'invalid_input', errors }),
  unauthorized: (detail = 'sign in, or send a valid token') =>
    new HttpProblem(401, 'Unauthorized', detail, { code: 'unauthenticated' }),
  forbidden: (detail = 'you may not do this') => new HttpProblem(403, 'Forbidden', detail, { code: 'forbidden' }),
  notFound: (detail = 'no such thing') => new HttpProblem(404, 'Not Found', detail, { code: 'not_found' }),
  conflict: (detail: string, code = 'conflict', extra: Record<string, unknown> = {}) =>
    new HttpProblem(409, 'Conflict', detail, { code, ...extra }),
  preconditionFailed: (detail: string, extra: Record<string, unknown> = {}) =>
    new HttpProblem(412, 'Precondition Failed', detail, { code: 'stale_revision', ...extra }),
  unprocessable: (detail: string, code: string) => new HttpProblem(422, 'Unprocessable Content', detail, { code }),
  tooManyRequests: (retryAfterSeconds: number, detail = 'too many requests; try again later') =>
    new HttpProblem(
      429,
      'Too Many Requests',
      detail,
      { code: 'rate_limited', retryAfterSeconds },
      {
        'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
      },
    ),
  payloadTooLarge: (detail = 'the body is too large') =>
    new HttpProblem(413, 'Content Too Large', detail, { code: 'body_too_large' }),
  unsupportedMediaType: (detail = 'send application/json') =>
    new HttpProblem(415, 'Unsupported Media Type', detail, { code: 'unsupported_media_type' }),
  serviceUnavailable: (detail = 'the service is temporarily unavailable', retryAfterSeconds = 5) =>
    new HttpProblem(
      503,
      'Service Unavailable',
      detail,
      { code: 'unavailable' },
      { 'Retry-After': String(retryAfterSeconds) },
    ),
};
