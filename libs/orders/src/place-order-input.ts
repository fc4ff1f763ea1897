import { isDecimalString, parseDecimal } from '@execn/matching';
import { z } from 'zod';

/** Symbols: 1-16 of `A-Z0-9.-`, case-sensitive (CONTRACT section 4). */
export const SYMBOL_PATTERN = /^[A-Z0-9.-]{1,16}$/;

/** Largest accepted order quantity: keeps `quantity * price` inside numeric(38, 8). */
export const MAX_ORDER_QUANTITY = 1_000_000_000;

const positiveDecimal = z
  .string()
  .refine(isDecimalString, { message: 'expected a decimal string with at most 8 decimals, e.g. "101.25"' })
  .refine((s) => !isDecimalString(s) || parseDecimal(s) > 0n, { message: 'must be positive' });

/**
 * `POST /v1/orders` body. Strict: unknown fields are refused. A market order
 * takes no price and is always IOC; a limit order needs a price and defaults
 * to GTC. Quantities are JSON integers, prices decimal strings (never floats).
 */
export const placeOrderBodySchema = z
  .strictObject({
    symbol: z.string().regex(SYMBOL_PATTERN, { message: 'expected 1-16 of A-Z 0-9 . - (upper case)' }),
    side: z.enum(['buy', 'sell']),
    type: z.enum(['limit', 'market']),
    quantity: z.number().int().positive().max(MAX_ORDER_QUANTITY),
    price: positiveDecimal.nullish(),
    timeInForce: z.enum(['GTC', 'IOC']).optional(),
    clientOrderId: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\x21-\x7e]+$/, { message: 'expected 1-64 printable ASCII characters without spaces' })
      .nullish(),
  })
  .superRefine((body, ctx) => {
    if (body.type === 'market') {
      if (body.price != null) ctx.addIssue({ code: 'custom', path: ['price'], message: 'a market order takes no price' });
      if (body.timeInForce === 'GTC') {
        ctx.addIssue({ code: 'custom', path: ['timeInForce'], message: 'a market order is always IOC' });
      }
    } else if (body.price == null) {
      ctx.addIssue({ code: 'custom', path: ['price'], message: 'a limit order needs a price' });
    }
  })
  .transform(
    (body): PlaceOrderInput => ({
      symbol: body.symbol,
      side: body.side,
      type: body.type,
      quantity: body.quantity,
      price: body.price ?? null,
      timeInForce: body.timeInForce ?? (body.type === 'market' ? 'IOC' : 'GTC'),
      clientOrderId: body.clientOrderId ?? null,
    }),
  );

/** A validated new order, defaults applied. */
export interface PlaceOrderInput {
  symbol: string;
  side: 'buy' | 'sell';
  type: 'limit' | 'market';
  quantity: number;
  /** Decimal string; null exactly for market orders. */
  price: string | null;
  timeInForce: 'GTC' | 'IOC';
  clientOrderId: string | null;
}
