import { cancelOrder } from '@execn/orders';
import type { Handler } from '../http/handler';

/** `DELETE /v1/orders/:id` → 200 `{order, reports}`; 404 unknown or foreign; 409 when final. */
export const cancelOrderHandler: Handler = async ({ deps, principal, params }) => {
  const result = await cancelOrder(deps.db.sql, { accountId: principal.accountId }, params.id ?? '', {
    notify: deps.notify ?? true,
  });
  return { status: 200, body: result };
};
