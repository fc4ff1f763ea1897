import { listOutboxEvents } from '@execn/outbox';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { listOutboxQuerySchema } from '../schemas/admin-outbox.schemas';

/** `GET /admin/outbox?status=&type=&orderId=&deliveryStatus=&limit=&cursor=` → `{events, nextCursor}`, newest first. */
export const listOutboxEventsHandler: Handler = async ({ deps, query }) => {
  const q = parseInput(listOutboxQuerySchema, query);
  return { status: 200, body: await listOutboxEvents(deps.db.sql, q) };
};
