import { cancelOrder } from '@execn/orders';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { orderIdParamsSchema } from '../schemas/query.schemas';

/** `DELETE /v1/orders/:id` → 200 `{order, reports}`; 400 for a malformed id; 404 unknown or foreign; 409 when final. */
export const cancelOrderHandler: Handler = async ({ deps, principal, params }) => {
  const { id } = parseInput(orderIdParamsSchema, params);
  const result = await cancelOrder(deps.db.sql, { accountId: principal.accountId }, id, { notify: deps.notify ?? true });
  return { status: 200, body: result };
};
