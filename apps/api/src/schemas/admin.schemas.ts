import { isDecimalString, parseDecimal } from '@execn/matching';
import { SYMBOL_PATTERN } from '@execn/orders';
import { z } from 'zod';

/** An account id, as `POST /admin/accounts` accepts it. */
export const accountIdSchema = z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/, { message: 'expected 1-128 of A-Z a-z 0-9 . _ @ -' });

/** An account id in a path (`/admin/accounts/:id/...`). */
export const accountIdParamsSchema = z.object({ id: accountIdSchema });

/** `POST /admin/accounts` body. The id is generated when absent. */
export const createAccountBodySchema = z.strictObject({
  id: accountIdSchema.optional(),
  email: z.email({ message: 'expected an email address' }).max(254),
  name: z.string().min(1).max(200).nullish(),
});

/** `POST /admin/instruments` body. */
export const createInstrumentBodySchema = z.strictObject({
  symbol: z.string().regex(SYMBOL_PATTERN, { message: 'expected 1-16 of A-Z 0-9 . - (upper case)' }),
  tickSize: z
    .string()
    .refine(isDecimalString, { message: 'expected a decimal string with at most 8 decimals, e.g. "0.01"' })
    .refine((s) => !isDecimalString(s) || parseDecimal(s) > 0n, { message: 'must be positive' }),
  lotSize: z.number().int().min(1).max(1_000_000).optional(),
});

/** `PATCH /admin/instruments/:symbol` body. */
export const updateInstrumentBodySchema = z.strictObject({ halted: z.boolean() });

/** `/admin/instruments/:symbol`: an unknown symbol is a 404, so the path takes any text. */
export const instrumentSymbolParamsSchema = z.object({ symbol: z.string().min(1) });
