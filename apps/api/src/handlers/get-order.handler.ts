import { getOrder } from '@execn/orders';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { orderIdParamsSchema } from '../schemas/query.schemas';

/** `GET /v1/orders/:id` → the order; 400 for a malformed id; 404 unknown or foreign. */
export const getOrderHandler: Handler = async ({ deps, principal, params }) => {
  const { id } = parseInput(orderIdParamsSchema, params);
  return { status: 200, body: await getOrder(deps.db.sql, { accountId: principal.accountId }, id) };
};
