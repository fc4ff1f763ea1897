import { placeOrderBodySchema } from '@execn/orders';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';

/** `POST /v1/orders` → 201 `{order, reports}` (business rejects included: the order is stored as rejected). */
export const placeOrderHandler: Handler = async ({ deps, principal, body }) => {
  const input = parseInput(placeOrderBodySchema, body);
  const result = await deps.orders.place({ accountId: principal.accountId }, input);
  return { status: 201, body: result };
};
