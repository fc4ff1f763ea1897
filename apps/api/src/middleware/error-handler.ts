import { ApiError, DomainError, type DomainErrorKind } from '@execn/contracts';
import { isDatabaseUnavailable } from '@execn/db';
import type { Logger } from '@execn/observability';
import type { NextFunction, Request, Response } from 'express';
import { ZodError } from 'zod';
import { fieldErrors } from '../http/validate';

/** body-parser's errors carry a `type`. */
interface BodyParserError {
  type?: string;
  status?: number;
}

/**
 * What a client is told to wait on a 503 (`Retry-After`): a database restart
 * (`unavailable`) or a full intake (`overloaded`). One second: a queue drains
 * in well under that at the rates measured, and a client retrying sooner would
 * only add to it.
 */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

/** The HTTP status of each kind of domain refusal. */
const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  not_permitted: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  overloaded: 503,
};

/** Maps any error to an ApiError: the one place HTTP statuses of errors are decided. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof DomainError) return new ApiError(STATUS_OF_KIND[err.kind], err.code, err.message, err.details);
  if (err instanceof ZodError) return new ApiError(400, 'validation_error', 'Invalid request', fieldErrors(err.issues));
  const type = (err as BodyParserError | null)?.type;
  if (type === 'entity.too.large') return new ApiError(413, 'payload_too_large', 'The request body is larger than 64 KiB');
  if (type === 'entity.parse.failed') {
    return new ApiError(400, 'validation_error', 'Malformed JSON', [{ field: 'body', message: 'malformed JSON' }]);
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new ApiError(415, 'unsupported_media_type', 'Unsupported body encoding');
  }
  if (isDatabaseUnavailable(err)) {
    // Down, restarting or the connection broke: retry later. The request may or may not have been
    // written (a COMMIT whose answer was lost); retrying with the same clientOrderId is safe.
    return new ApiError(503, 'unavailable', 'The database is unavailable; retry later');
  }
  return new ApiError(500, 'internal_error', 'Internal error');
}

/** The last middleware: answers `{"error": {code, message, details?}}` and logs server faults. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const apiError = toApiError(err);
    if (apiError.code === 'unavailable') {
      // One line per request while the database is away, without a stack: the cause is known.
      log.warn({ code: (err as { code?: string }).code, method: req.method, url: req.originalUrl }, 'request failed: database unavailable');
    } else if (apiError.status >= 500) log.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    if (res.headersSent) return;
    if (apiError.status === 503) res.set('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    res.status(apiError.status).json(apiError.toBody());
  };
}

/** Unknown paths. */
export function notFoundHandler(_req: Request, _res: Response, next: NextFunction): void {
  next(new ApiError(404, 'not_found', 'Not found'));
}
