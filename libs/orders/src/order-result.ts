import type { OrderResult } from '@execn/contracts';
import type { PlaceOrderInput } from './place-order-input';

/** What `POST /v1/orders` and `DELETE /v1/orders/:id` answer (its one description is `orderResultSchema`). */
export type { OrderResult };

/** One order's outcome within a batch: its result, or the error to answer it with. */
export type PlaceOutcome = { ok: true; result: OrderResult } | { ok: false; error: unknown };

/** The caller of an order operation: the token's account. */
export interface Trader {
  accountId: string;
}

/** A new order and whose it is. */
export interface PlaceRequest {
  trader: Trader;
  input: PlaceOrderInput;
}
