import { recordAudit } from '@execn/audit';
import { requeueEvents } from '@execn/outbox';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { bulkRequeueBodySchema } from '../schemas/admin-outbox.schemas';

/** Rows per batch transaction of a bulk requeue. */
const BULK_REQUEUE_BATCH_SIZE = 500;

/**
 * `POST /admin/outbox/requeue` `{status, type?, deliveryStatus?, since?, until?, limit?}` → 202
 * `{requeued: n}`. Batches of 500 rows, each its own short transaction; the
 * relay enqueues the rows at its own pace. The audit entry (target
 * `outbox_event:*`, params = the request) commits with the first batch, so it
 * exists as soon as anything changed; a request that matched nothing changed
 * nothing and writes none.
 */
export const requeueOutboxEventsHandler: Handler = async ({ deps, principal, body }) => {
  const input = parseInput(bulkRequeueBodySchema, body);
  const requeued = await requeueEvents(
    deps.db.sql,
    {
      status: input.status,
      type: input.type,
      deliveryStatus: input.deliveryStatus,
      since: input.since === undefined ? undefined : new Date(input.since),
      until: input.until === undefined ? undefined : new Date(input.until),
      limit: input.limit,
    },
    {
      batchSize: BULK_REQUEUE_BATCH_SIZE,
      onBatch: async (tx, _count, batchIndex) => {
        if (batchIndex > 0) return;
        await recordAudit(tx, {
          actor: principal.accountId,
          action: 'outbox_event.requeue_bulk',
          target: 'outbox_event:*',
          params: input,
        });
      },
    },
  );
  return { status: 202, body: { requeued } };
};
