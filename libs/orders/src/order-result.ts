import type { ExecutionReport, OrderView } from '@execn/contracts';
import type { PlaceOrderInput } from './place-order-input';

/** What `POST /v1/orders` and `DELETE /v1/orders/:id` answer: the order and this request's reports for it. */
export interface OrderResult {
  order: OrderView;
  reports: ExecutionReport[];
}

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
