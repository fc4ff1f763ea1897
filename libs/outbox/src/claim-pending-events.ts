import type { Sql } from 'postgres';
import { sortByEventId, type EventRef } from './event-ref';

/** A claimed event: its ref and its type (the job name). */
export interface ClaimedEvent extends EventRef {
  type: string;
}

/**
 * Claims up to `limit` pending events, oldest first, and marks them `enqueued`
 * in the same statement. `FOR UPDATE SKIP LOCKED` lets several pollers claim
 * side by side without waiting on or double-claiming each other's rows.
 *
 * The mark comes BEFORE the jobs reach Redis on purpose: a worker may pick a
 * job up within a millisecond, and a later "mark enqueued" would then overwrite
 * its `processing`/`processed`. A poller that dies between this statement and
 * `addBulk` leaves rows `enqueued` without a job; the reconciliation returns
 * them to `pending` after the lease.
 */
export async function claimPendingEvents(sql: Sql, limit: number): Promise<ClaimedEvent[]> {
  const rows = await sql<{ id: string; generation: number; type: string }[]>`
    update outbox_events o
    set status = 'enqueued', enqueued_at = now(), updated_at = now()
    from (
      select id from outbox_events
      where status = 'pending'
      order by id
      limit ${limit}
      for update skip locked
    ) c
    where o.id = c.id
    returning o.id::text as id, o.generation, o.type`;
  return sortByEventId(rows.map((r) => ({ eventId: r.id, generation: r.generation, type: r.type })));
}
