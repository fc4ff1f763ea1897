import { ApiError } from '@execn/contracts';
import { getEventWithDeliveries } from '@execn/outbox';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { eventIdParamsSchema } from '../schemas/admin-outbox.schemas';

/** `GET /admin/outbox/:id` → `{event, deliveries}` (every generation's websocket and mail records); 404 unknown. */
export const getOutboxEventHandler: Handler = async ({ deps, params }) => {
  const { id } = parseInput(eventIdParamsSchema, params);
  const found = await getEventWithDeliveries(deps.db.sql, id);
  if (found === null) throw new ApiError(404, 'not_found', `Outbox event ${id} not found`);
  return { status: 200, body: found };
};
