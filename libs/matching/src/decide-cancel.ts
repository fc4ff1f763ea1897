import { cancelState, isFinal, type OrderState } from './order-state';

/** Outcome of a user cancel: the new state, or why the order cannot be cancelled. */
export type CancelDecision =
  | { readonly ok: true; readonly state: OrderState }
  | { readonly ok: false; readonly reason: 'order_not_cancelable' };

/**
 * Decides a user-requested cancel (`DELETE /v1/orders/:id`).
 *
 * A live order (`working` or `partially_filled`) becomes `cancelled` with
 * `leavesQty` 0 and its fills kept; a final order is refused with
 * `order_not_cancelable`, which the api maps to HTTP 409. The caller writes
 * the `cancelled` report with reason `user_requested`.
 */
export function decideCancel(state: OrderState): CancelDecision {
  if (isFinal(state.status)) return { ok: false, reason: 'order_not_cancelable' };
  return { ok: true, state: cancelState(state) };
}
