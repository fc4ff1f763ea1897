import { getOrder } from '@execn/orders';
import type { Handler } from '../http/handler';

/** `GET /v1/orders/:id` → the order; 404 unknown or foreign. */
export const getOrderHandler: Handler = async ({ deps, principal, params }) => ({
  status: 200,
  body: await getOrder(deps.db.sql, { accountId: principal.accountId }, params.id ?? ''),
});
