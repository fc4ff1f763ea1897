/** Largest value of a PostgreSQL `bigint` (int8): ids, cursors and seqs live in that range. */
export const INT8_MAX = 9_223_372_036_854_775_807n;

const DIGITS = /^\d{1,19}$/;

/**
 * Whether `value` is a non-negative int8 written as plain decimal digits.
 * The one check for every id and cursor a client sends: 19 digits alone would
 * let `9999999999999999999` through to PostgreSQL, which refuses the cast and
 * turns a client's typo into a 500.
 */
export function isInt8Decimal(value: string): boolean {
  return DIGITS.test(value) && BigInt(value) <= INT8_MAX;
}
