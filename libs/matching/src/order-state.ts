import { averagePrice } from './decimal';
import { MatchingError } from './matching-error';
import type { OrderStatus, RestingOrder } from './types';

/**
 * The quantity-bearing part of an order, immutable: every transition returns
 * a new object so an event can keep the state it describes.
 */
export interface OrderState {
  readonly quantity: number;
  readonly cumQty: number;
  /** `quantity - cumQty` while live; 0 once final. */
  readonly leavesQty: number;
  /** Sum over fills of `qty * priceUnits` (1e-8 units times shares). */
  readonly cumNotional: bigint;
  readonly status: OrderStatus;
}

/** Whether no further fill or cancel can change an order in this status. */
export function isFinal(status: OrderStatus): boolean {
  return status === 'filled' || status === 'cancelled' || status === 'rejected';
}

/** State of a freshly accepted order: nothing filled, everything leaves. */
export function newOrderState(quantity: number): OrderState {
  return { quantity, cumQty: 0, leavesQty: quantity, cumNotional: 0n, status: 'working' };
}

/** State of an order refused by a business rule: final, nothing leaves. */
export function rejectedOrderState(quantity: number): OrderState {
  return { quantity, cumQty: 0, leavesQty: 0, cumNotional: 0n, status: 'rejected' };
}

/** State of a live resting order; its status follows from whether it has traded. */
export function restingOrderState(order: RestingOrder): OrderState {
  return {
    quantity: order.quantity,
    cumQty: order.cumQty,
    leavesQty: order.leavesQty,
    cumNotional: order.cumNotional,
    status: order.cumQty > 0 ? 'partially_filled' : 'working',
  };
}

/**
 * Applies one fill of `qty` at `price` (1e-8 units).
 *
 * @returns the new state, `filled` when nothing leaves, else `partially_filled`.
 * @throws MatchingError for a final order, a non-positive or fractional
 *   quantity, or a fill larger than `leavesQty` (an overfill is always a bug).
 */
export function applyFill(state: OrderState, qty: number, price: bigint): OrderState {
  if (isFinal(state.status)) {
    throw new MatchingError(`cannot fill an order that is already ${state.status}`);
  }
  if (!Number.isSafeInteger(qty) || qty <= 0) {
    throw new MatchingError(`fill quantity must be a positive integer, got ${qty}`);
  }
  if (qty > state.leavesQty) {
    throw new MatchingError(`overfill: fill of ${qty} exceeds leavesQty ${state.leavesQty}`);
  }
  const leavesQty = state.leavesQty - qty;
  return {
    quantity: state.quantity,
    cumQty: state.cumQty + qty,
    leavesQty,
    cumNotional: state.cumNotional + BigInt(qty) * price,
    status: leavesQty === 0 ? 'filled' : 'partially_filled',
  };
}

/**
 * Cancels whatever is left: status `cancelled`, `leavesQty` 0, fills kept.
 *
 * @throws MatchingError for an order that is already final; user cancels go
 *   through `decideCancel`, which refuses those politely instead.
 */
export function cancelState(state: OrderState): OrderState {
  if (isFinal(state.status)) {
    throw new MatchingError(`cannot cancel an order that is already ${state.status}`);
  }
  return {
    quantity: state.quantity,
    cumQty: state.cumQty,
    leavesQty: 0,
    cumNotional: state.cumNotional,
    status: 'cancelled',
  };
}

/** Average fill price in 1e-8 units (half-even), or `null` before the first fill. */
export function avgPxOf(state: OrderState): bigint | null {
  return state.cumQty === 0 ? null : averagePrice(state.cumNotional, state.cumQty);
}
