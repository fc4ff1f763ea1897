import type { Sql } from 'postgres';
import type { EventRef } from './event-ref';

/**
 * Mail deliveries still `pending` and untouched for `olderThanMs` (0 = all),
 * in event id order after `afterId`: candidates whose mail job may have
 * vanished from Redis.
 */
export async function findPendingMailDeliveries(
  sql: Sql,
  options: { olderThanMs: number; afterId: string; limit: number },
): Promise<EventRef[]> {
  const rows = await sql<{ id: string; generation: number }[]>`
    select event_id::text as id, generation
    from notification_deliveries
    where channel = 'mail' and status = 'pending'
      and updated_at <= now() - make_interval(secs => ${options.olderThanMs / 1000})
      and event_id > ${options.afterId}
    order by event_id, generation
    limit ${options.limit}`;
  return rows.map((r) => ({ eventId: r.id, generation: r.generation }));
}
