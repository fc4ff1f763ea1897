/** The error codes of CONTRACT section 5; an api newer than this SDK may answer others. */
export type RestErrorCode =
  | 'validation_error'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'duplicate_client_order_id'
  | 'order_not_cancelable'
  | 'resume_horizon'
  | 'payload_too_large'
  | 'rate_limited'
  | 'overloaded'
  | 'unavailable'
  | 'internal_error'
  | (string & {});

/** One bad field of a 400 `validation_error`. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * A refusal from the REST api: its HTTP status and the contract's `code`,
 * `message` and `details`. 429 `rate_limited` and 503 (`overloaded`,
 * `unavailable`) carry `retryAfterSeconds` from the `Retry-After` header:
 * wait that long, then send the same request again (with the same
 * `clientOrderId` for an order, so a retry can never place it twice).
 */
export class RestApiError extends Error {
  override readonly name = 'RestApiError';

  constructor(
    readonly status: number,
    readonly code: RestErrorCode,
    message: string,
    readonly details?: unknown,
    /** Seconds to wait before retrying (429 and 503 only). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** True when the same request may succeed later (429, 503). */
  get retryable(): boolean {
    return this.status === 429 || this.status === 503;
  }

  /** The bad fields of a `validation_error`, else an empty list. */
  get fields(): FieldProblem[] {
    return this.code === 'validation_error' && Array.isArray(this.details) ? (this.details as FieldProblem[]) : [];
  }
}

/** `Retry-After` in seconds (the api sends whole seconds; an HTTP date is honoured too). */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
