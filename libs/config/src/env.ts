import { z } from 'zod';

/**
 * Environment parsing helpers. Every process reads its settings once, at boot,
 * through these schemas; a bad value stops the process with one line naming
 * the variable (see `loadConfig`).
 */

/** A whole number in [min, max], given as a decimal string. */
export function int(defaultValue: number, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .trim()
    .regex(/^-?\d+$/, { message: 'expected a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((v) => v ?? defaultValue);
}

/** "true"/"false"/"1"/"0"; never z.coerce.boolean(), which reads "false" as true. */
export function bool(defaultValue: boolean) {
  return z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? defaultValue : v === 'true' || v === '1' || v === 'yes'));
}

/** A URL with one of the given protocols (without the colon). */
export function url(defaultValue: string, protocols: string[]) {
  return z
    .string()
    .trim()
    .optional()
    .transform((v) => v || defaultValue)
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { message: `expected a ${protocols.join(' or ')} URL` },
    );
}

/** An optional non-empty string: empty means unset. */
export function optionalString() {
  return z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v));
}
