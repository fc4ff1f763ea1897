import type { Sql } from 'postgres';
import { sortByEventId, type EventRef } from './event-ref';

/** A claimed event: its ref, its type (the job name) and what the worker needs to broadcast it. */
export interface ClaimedEvent extends EventRef {
  type: string;
  /** The report as committed: it travels in the job, so a worker broadcasts without reading PostgreSQL first. */
  payload: Record<string, unknown>;
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
 *
 * The payload comes back with the claim (the row is in hand anyway), so the
 * job carries the report.
 */
export async function claimPendingEvents(sql: Sql, limit: number): Promise<ClaimedEvent[]> {
  const rows = await sql<{ id: string; generation: number; type: string; payload: Record<string, unknown> }[]>`
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
    returning o.id::text as id, o.generation, o.type, o.payload`;
  return sortByEventId(rows.map((r) => ({ eventId: r.id, generation: r.generation, type: r.type, payload: r.payload })));
}
