import { DECIMAL_PLACES } from '@execn/matching';

/**
 * Parses a PostgreSQL numeric rendered as text (`"101.25000000"`) into 1e-8
 * units. Unlike the engine's `parseDecimal`, which guards the API edge, it
 * takes any number of integer digits: `cum_notional` (numeric(38, 8)) can
 * exceed the 20 digits a price may have.
 *
 * @throws RangeError for anything but digits with an optional dot and at most 8 decimals.
 */
export function parseUnits(text: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,8}))?$/.exec(text);
  if (m === null) throw new RangeError(`not a non-negative decimal with at most 8 decimals: "${text}"`);
  const frac = (m[2] ?? '').padEnd(DECIMAL_PLACES, '0');
  return BigInt((m[1] as string) + frac);
}
