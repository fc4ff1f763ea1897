import type { Sql } from 'postgres';
import type { EventRef } from './event-ref';

/** An event `enqueued` or `processing`, as the reconciliation sees it. */
export interface InFlightEvent extends EventRef {
  status: 'enqueued' | 'processing';
  /** The job that carries it (null on rows claimed before jobs carried batches: then `outboxJobId`). */
  jobId: string | null;
}

/**
 * Events in flight (`enqueued` or `processing`) not touched for `olderThanMs`
 * (0 = all of them, after Redis was wiped), in id order after `afterId`
 * (keyset paging: rows whose job is fine stay in flight and must not be read
 * again in the same sweep).
 */
export async function findInFlightEvents(
  sql: Sql,
  options: { olderThanMs: number; afterId: string; limit: number },
): Promise<InFlightEvent[]> {
  const rows = await sql<{ id: string; generation: number; status: 'enqueued' | 'processing'; job_id: string | null }[]>`
    select id::text as id, generation, status, job_id
    from outbox_events
    where status in ('enqueued', 'processing')
      and updated_at <= now() - make_interval(secs => ${options.olderThanMs / 1000})
      and id > ${options.afterId}
    order by id
    limit ${options.limit}`;
  return rows.map((r) => ({ eventId: r.id, generation: r.generation, status: r.status, jobId: r.job_id }));
}
