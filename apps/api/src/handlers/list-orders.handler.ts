import { listOrders } from '@execn/orders';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { listOrdersQuerySchema } from '../schemas/query.schemas';

/** `GET /v1/orders?status=&symbol=&limit=&cursor=` → `{orders, nextCursor}`, newest first. */
export const listOrdersHandler: Handler = async ({ deps, principal, query }) => {
  const q = parseInput(listOrdersQuerySchema, query);
  return { status: 200, body: await listOrders(deps.db.sql, { accountId: principal.accountId }, q) };
};
