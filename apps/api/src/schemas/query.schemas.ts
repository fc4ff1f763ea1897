import { ORDER_STATUSES } from '@execn/contracts';
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

/** `cursor` query parameter: the previous page's `nextCursor`. */
export const cursorParam = z.string().regex(/^\d{1,19}$/, { message: 'malformed cursor' }).optional();

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
