/**
 * A string that is not an exact decimal of the accepted form.
 *
 * Thrown by {@link parseDecimal}; callers that validate user input should test
 * with {@link isDecimalString} first and treat this error as a bug.
 */
export class DecimalError extends Error {
  constructor(
    /** The rejected input, kept verbatim so logs show exactly what arrived. */
    readonly input: string,
    detail: string,
  ) {
    super(`Invalid decimal ${JSON.stringify(input)}: ${detail}`);
    this.name = 'DecimalError';
  }
}
