import { recordAudit } from '@execn/audit';
import { requeueEvent } from '@execn/outbox';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { eventIdParamsSchema } from '../schemas/admin-outbox.schemas';

/**
 * `POST /admin/outbox/:id/requeue` → 202 `{event}`: back to `pending` at
 * `generation + 1`, to be broadcast and mailed again. 404 unknown, 409
 * `already_queued` while pending, enqueued or processing. The audit entry
 * commits with the change; a refused request writes none.
 */
export const requeueOutboxEventHandler: Handler = async ({ deps, principal, params }) => {
  const { id } = parseInput(eventIdParamsSchema, params);
  const event = await deps.db.sql.begin(async (tx) => {
    const requeued = await requeueEvent(tx, id);
    await recordAudit(tx, {
      actor: principal.accountId,
      action: 'outbox_event.requeue',
      target: `outbox_event:${id}`,
      params: { generation: requeued.generation },
    });
    return requeued;
  });
  return { status: 202, body: { event } };
};
