/**
 * Test-only builders for orders and instruments, so examples read as a book
 * ("sell 10 @ 101.5, oldest") rather than as object literals. Not exported
 * from the library's index.
 */
import { parseDecimal } from '../decimal';
import type { IncomingOrder, InstrumentRules, RestingOrder, Side, TimeInForce } from '../types';

/** Shorthand: a decimal string as 1e-8 units. */
export const px = parseDecimal;

/** An open instrument with a 0.01 tick and a lot of 1. */
export const TEST_INSTRUMENT: InstrumentRules = {
  symbol: 'TEST',
  tickSize: px('0.01'),
  lotSize: 1,
  halted: false,
};

/** An incoming limit order; GTC unless told otherwise. */
export function limitOrder(
  id: string,
  accountId: string,
  side: Side,
  price: string,
  quantity: number,
  timeInForce: TimeInForce = 'GTC',
): IncomingOrder {
  return { id, accountId, side, type: 'limit', timeInForce, price: px(price), quantity };
}

/** An incoming market order (always IOC). */
export function marketOrder(id: string, accountId: string, side: Side, quantity: number): IncomingOrder {
  return { id, accountId, side, type: 'market', timeInForce: 'IOC', price: null, quantity };
}

/**
 * A live resting order with `leavesQty` left of `leavesQty + cumQty`, whose
 * earlier fills (if any) were all at its own price.
 */
export function restingOrder(
  id: string,
  accountId: string,
  side: Side,
  price: string,
  leavesQty: number,
  priority: number,
  cumQty = 0,
): RestingOrder {
  const units = px(price);
  return {
    id,
    accountId,
    side,
    price: units,
    quantity: leavesQty + cumQty,
    cumQty,
    leavesQty,
    cumNotional: BigInt(cumQty) * units,
    priority: BigInt(priority),
  };
}
