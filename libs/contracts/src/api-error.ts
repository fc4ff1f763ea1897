/** The error body of every REST error: `{"error": {code, message, details?}}`. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * A domain or request error that maps to an HTTP status in the api's one error
 * handler. Libraries throw it; they know nothing of Express.
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
