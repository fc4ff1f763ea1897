import { placeOrderBodySchema } from '@execn/orders';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';

/**
 * `POST /v1/orders` → 201 `{order, reports}` (business rejects included: the
 * order is stored as rejected); 503 `overloaded` when it was not executed (the
 * intake queue full, its deadline passed). A client that hangs up while its
 * order still waits takes the order with it: nothing is executed for nobody.
 */
export const placeOrderHandler: Handler = async ({ deps, principal, body, signal }) => {
  const input = parseInput(placeOrderBodySchema, body);
  const result = await deps.orders.place({ accountId: principal.accountId }, input, { signal });
  return { status: 201, body: result };
};
