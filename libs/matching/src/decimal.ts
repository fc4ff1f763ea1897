import { DecimalError } from './decimal-error';

/**
 * Exact fixed-point decimals as `bigint` units of 1e-8.
 *
 * Prices and tick sizes have at most 8 decimals (contract §4), so scaling by
 * 1e8 makes every legal value an integer and every comparison, multiple test
 * and notional sum exact. Binary floating point never touches a price.
 */

/** Number of decimal places carried by a unit value. */
export const DECIMAL_PLACES = 8;

/** Units per whole: `parseDecimal("1") === DECIMAL_SCALE`. */
export const DECIMAL_SCALE = 100_000_000n;

/** Integer digits accepted; 20 covers any numeric(28, 8) column with room to spare. */
const MAX_INTEGER_DIGITS = 20;

// Digits only: no sign, exponent, whitespace, or bare "." forms like ".5" / "5.",
// so one value has few spellings and none of them is surprising.
const DECIMAL_PATTERN = /^(\d{1,20})(?:\.(\d{1,8}))?$/;

// Right-padding the fraction to 8 digits turns "5" into 50000000 units; a
// lookup avoids building a padded string per parse.
const FRACTION_WEIGHTS: readonly bigint[] = [
  1n,
  10_000_000n,
  1_000_000n,
  100_000n,
  10_000n,
  1_000n,
  100n,
  10n,
  1n,
];

/**
 * Whether `s` is an accepted decimal string: 1-20 integer digits, optionally a
 * dot and 1-8 fraction digits; no sign, exponent or whitespace.
 */
export function isDecimalString(s: string): boolean {
  return DECIMAL_PATTERN.test(s);
}

/**
 * Parses a decimal string into 1e-8 units. `"101.50"` and `"101.5"` give the
 * same value; `"0"` parses (positivity is a business rule checked elsewhere).
 *
 * @throws DecimalError for an empty string, a sign, an exponent, whitespace,
 *   more than 8 decimals or more than 20 integer digits.
 */
export function parseDecimal(s: string): bigint {
  const match = DECIMAL_PATTERN.exec(s);
  if (match === null) throw new DecimalError(s, explain(s));
  const intPart = match[1] as string; // group 1 is mandatory in the pattern
  const fracPart = match[2];
  let units = BigInt(intPart) * DECIMAL_SCALE;
  if (fracPart !== undefined) {
    units += BigInt(fracPart) * (FRACTION_WEIGHTS[fracPart.length] as bigint);
  }
  return units;
}

function explain(s: string): string {
  if (s.length === 0) return 'empty';
  if (/\s/.test(s)) return 'contains whitespace';
  if (/^[+-]/.test(s)) return 'signs are not accepted';
  if (/[eE]/.test(s)) return 'exponents are not accepted';
  const [intPart = '', fracPart] = s.split('.');
  if (fracPart !== undefined && fracPart.length > DECIMAL_PLACES && /^\d+$/.test(fracPart)) {
    return `more than ${DECIMAL_PLACES} decimals`;
  }
  if (intPart.length > MAX_INTEGER_DIGITS && /^\d+$/.test(intPart)) {
    return `more than ${MAX_INTEGER_DIGITS} integer digits`;
  }
  return 'expected digits with an optional dot and 1-8 decimals';
}

/**
 * Formats 1e-8 units in canonical minimal form: `"101.25"`, `"101"`, `"0.5"`.
 * Trailing fraction zeros and a bare dot are dropped; negatives get a leading
 * `-` so the function is total, although prices are never negative.
 */
export function formatDecimal(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / DECIMAL_SCALE;
  const frac = abs % DECIMAL_SCALE;
  const sign = negative ? '-' : '';
  if (frac === 0n) return `${sign}${whole}`;
  const digits = frac.toString().padStart(DECIMAL_PLACES, '0').replace(/0+$/, '');
  return `${sign}${whole}.${digits}`;
}

/** Three-way comparison by value: negative, zero or positive like `Array#sort` wants. */
export function compareDecimal(a: bigint, b: bigint): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether `value` is a whole multiple of `step`; false for a non-positive step. */
export function isMultipleOf(value: bigint, step: bigint): boolean {
  return step > 0n && value % step === 0n;
}

/**
 * Quantity-weighted average price in 1e-8 units, rounded half-even.
 *
 * `notional` is the sum over fills of `qty * priceUnits`, so `notional / qty`
 * is already in units and only the sub-unit remainder needs rounding.
 *
 * @throws RangeError for a non-positive or fractional quantity or a negative
 *   notional, which can only come from a bug.
 */
export function averagePrice(notional: bigint, qty: number | bigint): bigint {
  if (typeof qty === 'number' && !Number.isSafeInteger(qty)) {
    throw new RangeError(`averagePrice: quantity must be an integer, got ${qty}`);
  }
  const divisor = typeof qty === 'bigint' ? qty : BigInt(qty);
  if (divisor <= 0n) throw new RangeError(`averagePrice: quantity must be positive, got ${divisor}`);
  if (notional < 0n) throw new RangeError(`averagePrice: notional must not be negative, got ${notional}`);
  const quotient = notional / divisor;
  const twiceRemainder = (notional % divisor) * 2n;
  if (twiceRemainder > divisor) return quotient + 1n;
  // An exact half goes to the even neighbour so rounding has no upward bias.
  if (twiceRemainder === divisor && (quotient & 1n) === 1n) return quotient + 1n;
  return quotient;
}
