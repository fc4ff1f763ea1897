import type { Sql } from 'postgres';
import type { EventRef } from './event-ref';

/** A pending mail delivery and the mail job recorded for it (null: recorded before mail jobs carried batches). */
export interface PendingMailDelivery extends EventRef {
  jobId: string | null;
}

/**
 * Mail deliveries still `pending` and untouched for `olderThanMs` (0 = all),
 * in event id order after `afterId`: candidates whose mail job may have
 * vanished from Redis.
 */
export async function findPendingMailDeliveries(
  sql: Sql,
  options: { olderThanMs: number; afterId: string; limit: number },
): Promise<PendingMailDelivery[]> {
  const rows = await sql<{ id: string; generation: number; job_id: string | null }[]>`
    select event_id::text as id, generation, job_id
    from notification_deliveries
    where channel = 'mail' and status = 'pending'
      and updated_at <= now() - make_interval(secs => ${options.olderThanMs / 1000})
      and event_id > ${options.afterId}
    order by event_id, generation
    limit ${options.limit}`;
  return rows.map((r) => ({ eventId: r.id, generation: r.generation, jobId: r.job_id }));
}

/**
 * Every pending mail delivery recorded for these mail jobs, whatever its age: a job that vanished is added
 * again with all the mails it carried, not only those of one page.
 */
export async function findPendingMailDeliveriesOfJobs(sql: Sql, jobIds: string[]): Promise<PendingMailDelivery[]> {
  if (jobIds.length === 0) return [];
  const rows = await sql<{ id: string; generation: number; job_id: string }[]>`
    select event_id::text as id, generation, job_id
    from notification_deliveries
    where channel = 'mail' and status = 'pending' and job_id = any(${jobIds}::text[])
    order by event_id, generation`;
  return rows.map((r) => ({ eventId: r.id, generation: r.generation, jobId: r.job_id }));
}
