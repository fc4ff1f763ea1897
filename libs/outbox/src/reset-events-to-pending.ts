import type { Sql } from 'postgres';
import { refsJson, type EventRef } from './event-ref';

/**
 * Puts in-flight events whose job is gone from Redis back to `pending`, for
 * the relay to enqueue again. Only rows still in flight at the same generation
 * change (a worker may have finished one meanwhile). Returns the ids reset.
 */
export async function resetEventsToPending(sql: Sql, refs: EventRef[]): Promise<string[]> {
  if (refs.length === 0) return [];
  const rows = await sql<{ id: string }[]>`
    update outbox_events o
    set status = 'pending', enqueued_at = null, updated_at = now()
    from (select * from jsonb_to_recordset(${refsJson(refs)}::text::jsonb) as t(id bigint, gen int) limit ${refs.length}) t -- see refsJson
    where o.id = t.id and o.generation = t.gen and o.status in ('enqueued', 'processing')
    returning o.id::text as id`;
  return rows.map((r) => r.id);
}
