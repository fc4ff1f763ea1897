import type { Sql } from 'postgres';
import type { EventRef } from './event-ref';

/**
 * Marks an event `failed` with its last error once its job has used every
 * attempt. `failed` is final until an admin requeues it, so the reconciliation
 * does not pick it up again. A row already processed (or requeued to another
 * generation) is left alone. Returns true when the row changed.
 */
export async function markEventFailed(sql: Sql, ref: EventRef, error: string, attemptsMade: number): Promise<boolean> {
  const rows = await sql`
    update outbox_events
    set status = 'failed', last_error = ${error.slice(0, 2000)}, attempts = attempts + ${attemptsMade}, updated_at = now()
    where id = ${ref.eventId} and generation = ${ref.generation} and status <> 'processed'
    returning id`;
  return rows.length > 0;
}
