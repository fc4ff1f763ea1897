/** The error body of every REST error: `{"error": {code, message, details?}}`. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * An error the api answers with: an HTTP status, a code and a message. Only
 * the api makes one (its middleware and handlers, and its error handler from
 * a library's `DomainError`); libraries know nothing of HTTP.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}
