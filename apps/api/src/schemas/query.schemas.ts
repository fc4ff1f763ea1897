import { isInt8Decimal, ORDER_STATUSES } from '@execn/contracts';
import { SYMBOL_PATTERN } from '@execn/orders';
import { z } from 'zod';

/** Largest page any list returns. */
export const MAX_PAGE_SIZE = 1_000;

/** `limit` query parameter: 1-1000, default 100. */
export const limitParam = z
  .string()
  .regex(/^\d{1,9}$/, { message: 'expected a positive integer' })
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_PAGE_SIZE, { message: `at most ${MAX_PAGE_SIZE}` }))
  .optional()
  .transform((v) => v ?? 100);

/**
 * A non-negative int8 as decimal digits, else `message` (one per field). Ids
 * and cursors are compared with bigint columns: one out of range must be a 400
 * here, not a failed cast (500) in PostgreSQL.
 */
export const int8String = (message: string) => z.string().refine(isInt8Decimal, { message });

/** `cursor` query parameter: the previous page's `nextCursor`. */
export const cursorParam = int8String('malformed cursor').optional();

/** An order id in a path: a uuid (else 400 `validation_error` on `id`; an unknown one is a 404). */
export const orderIdParamsSchema = z.object({ id: z.guid({ message: 'expected an order uuid' }) });

/** `GET /v1/orders` query. */
export const listOrdersQuerySchema = z.strictObject({
  status: z.enum(ORDER_STATUSES).optional(),
  symbol: z.string().regex(SYMBOL_PATTERN, { message: 'expected 1-16 of A-Z 0-9 . - (upper case)' }).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

/** `GET /v1/execution-reports` query. */
export const listReportsQuerySchema = z.strictObject({
  sinceSeq: z
    .string()
    .regex(/^\d{1,15}$/, { message: 'expected a non-negative integer' })
    .transform(Number)
    .optional()
    .transform((v) => v ?? 0),
  limit: limitParam,
});

/** `GET /admin/audit` query. */
export const listAuditQuerySchema = z.strictObject({ limit: limitParam, cursor: cursorParam });
