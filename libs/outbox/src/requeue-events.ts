import type { Sql, TransactionSql } from 'postgres';
import { OUTBOX_NOTIFY_CHANNEL, type DeliveryStatus } from '@execn/db';
import { hasDelivery } from './list-events';

/** Which events a bulk requeue sends again (validated at the edge). */
export interface RequeueFilter {
  /** Only final events can be requeued; in-flight ones will be dispatched anyway. */
  status: 'failed' | 'processed';
  type?: string;
  /** Only events with a delivery in this status at their current generation (`failed`: resend bounced mails only). */
  deliveryStatus?: DeliveryStatus;
  /** Inclusive lower bound on `created_at`. */
  since?: Date;
  /** Exclusive upper bound on `created_at`. */
  until?: Date;
  /** At most this many events in all; absent = every match. */
  limit?: number;
}

/** Options of `requeueEvents`. */
export interface RequeueEventsOptions {
  /** Rows per statement and transaction. @default 500 */
  batchSize?: number;
  /**
   * Runs inside each batch's transaction after it requeued `count` (≥ 1)
   * rows; `batchIndex` counts those batches from 0. The api writes the audit
   * entry here, so it commits with the first change and tracks every batch.
   */
  onBatch?: (tx: TransactionSql, count: number, batchIndex: number) => Promise<void>;
}

/**
 * Requeues every event matching the filter (each goes `pending` with
 * `generation + 1`, as `requeueEvent` does), in batches of one short
 * transaction each: a large requeue never holds many row locks or a long
 * transaction, and it does not flood Redis because it only marks rows
 * `pending`; the relay enqueues them at its own pace. Batches walk ids upwards
 * from where the previous stopped, so an event requeued and already processed
 * again during the request is not picked twice. Rows locked by a concurrent
 * requeue are skipped (that one sends them). Returns the number requeued.
 *
 * The row lock is what keeps two concurrent requeues from both bumping an
 * event: the UPDATE joins on id only, so without `for update` a row that
 * another requeue changed after this statement's snapshot would be bumped
 * again (generation 1 → 3, mailed twice). The concurrency tests in
 * `admin-operations.int.test.ts` fail without it.
 */
export async function requeueEvents(sql: Sql, filter: RequeueFilter, options: RequeueEventsOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  let total = 0;
  let afterId = '0';
  let batchIndex = 0;
  for (;;) {
    const want = filter.limit === undefined ? batchSize : Math.min(batchSize, filter.limit - total);
    if (want <= 0) break;
    const { count, lastId } = await sql.begin(async (tx) => {
      const ids = await requeueBatch(tx, filter, afterId, want);
      if (ids.length > 0) {
        await tx`select pg_notify(${OUTBOX_NOTIFY_CHANNEL}, '')`;
        await options.onBatch?.(tx, ids.length, batchIndex);
      }
      return { count: ids.length, lastId: maxId(ids) };
    });
    total += count;
    if (count > 0) batchIndex++;
    if (count < want || lastId === null) break;
    afterId = lastId;
  }
  return total;
}

/** One batch: the next `limit` matching rows after `afterId`, requeued in one statement. */
async function requeueBatch(tx: TransactionSql, filter: RequeueFilter, afterId: string, limit: number): Promise<string[]> {
  const rows = await tx<{ id: string }[]>`
    with picked as (
      select id from outbox_events
      where status = ${filter.status}
        and id > ${afterId}::bigint
        and ${filter.type === undefined ? tx`true` : tx`type = ${filter.type}`}
        and ${filter.deliveryStatus === undefined ? tx`true` : hasDelivery(tx, filter.deliveryStatus)}
        and ${filter.since === undefined ? tx`true` : tx`created_at >= ${filter.since.toISOString()}::timestamptz`}
        and ${filter.until === undefined ? tx`true` : tx`created_at < ${filter.until.toISOString()}::timestamptz`}
      order by id
      limit ${limit}
      for update skip locked
    )
    update outbox_events o
    set status = 'pending', generation = o.generation + 1, attempts = 0, last_error = null,
        enqueued_at = null, processed_at = null, updated_at = now()
    from picked
    where o.id = picked.id
    returning o.id::text as id`;
  return rows.map((r) => r.id);
}

function maxId(ids: string[]): string | null {
  let max: bigint | null = null;
  for (const id of ids) {
    const n = BigInt(id);
    if (max === null || n > max) max = n;
  }
  return max === null ? null : max.toString();
}
