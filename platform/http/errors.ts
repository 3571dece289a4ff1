import type { Response } from 'express';
import { DomainError } from '../../domain/shared.js';
import {
  EventStoreUnavailableError,
  EventStoreValidationError,
  IdempotencyConflictError,
  StreamDeletedError,
} from '../../eventstore/port.js';
import { isDatabaseUnavailable } from '../../eventstore/postgres/connectionErrors.js';
import type { Logger } from '../logger.js';
import { plainWords } from './plainWords.js';
import { HttpProblem, problems } from './problem.js';

const domainStatus = { not_found: 404, conflict: 409, rule: 422, forbidden: 403, stale: 412 } as const;
const domainTitle = {
  not_found: 'Not Found',
  conflict: 'Conflict',
  rule: 'Unprocessable Content',
  forbidden: 'Forbidden',
  stale: 'Precondition Failed',
} as const;

interface BodyParserError {
  type?: string;
  status?: number;
}

export function toProblem(error: unknown): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error;
  // express decodes path parameters: broken percent-encoding (%zz) is the client's mistake
  if (error instanceof URIError)
    return problems.badRequest([{ path: 'params', message: 'has invalid percent-encoding' }]);
  if (error instanceof DomainError) {
    return new HttpProblem(domainStatus[error.kind], domainTitle[error.kind], plainWords(error.code, error.details), {
      code: error.code,
      ...(error.details.issues ? { errors: error.details.issues } : {}),
      ...(error.details.from ? { from: error.details.from, to: error.details.to } : {}),
      ...(error.details.currentRevision !== undefined ? { currentRevision: error.details.currentRevision } : {}),
    });
  }
  if (error instanceof EventStoreValidationError) return problems.badRequest(error.issues);
  if (error instanceof EventStoreUnavailableError) {
    return problems.serviceUnavailable(error.retryAfterSeconds);
  }
  if (error instanceof StreamDeletedError) {
    return new HttpProblem(410, 'Gone', undefined, { code: 'stream_deleted' });
  }
  if (error instanceof IdempotencyConflictError) {
    return problems.conflict('idempotency_conflict');
  }
  const parser = error as BodyParserError;
  if (parser && typeof parser === 'object' && typeof parser.type === 'string') {
    if (parser.type === 'entity.parse.failed') {
      return problems.badRequest([{ path: 'body', message: 'is not valid JSON' }], 'The body is not valid JSON.');
    }
    if (parser.type === 'entity.too.large') return problems.payloadTooLarge();
    if (parser.type === 'encoding.unsupported' || parser.type === 'charset.unsupported') {
      return problems.unsupportedMediaType();
    }
    if (parser.type === 'request.aborted')
      return new HttpProblem(400, 'Bad Request', undefined, { code: 'request_aborted' });
  }
  if (isDatabaseUnavailable(error)) return problems.serviceUnavailable();
  return undefined;
}

/** The one place errors become answers: known ones as problems, the rest logged as 500. */
export function errorSender(logger: Logger) {
  return (res: Response, error: unknown): void => {
    const problem = toProblem(error);
    if (!problem || problem.status >= 500) {
      // `problem` is the machine-readable code: what log readers (and the overload test) match on, never the wording
      logger.error(
        { err: error, requestId: res.locals.requestId, ...(problem ? { problem: problem.extensions.code } : {}) },
        problem ? problem.detail : 'unhandled error',
      );
    }
    if (res.headersSent) return;
    const answer = problem ?? new HttpProblem(500, 'Internal Server Error', undefined, { code: 'internal' });
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.status(answer.status).type('application/problem+json').send(JSON.stringify(answer.toBody()));
  };
}
