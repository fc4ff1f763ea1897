import type { Sql } from 'postgres';
import { refsJson, type EventRef } from './event-ref';

/**
 * Hands claimed events back (`enqueued` → `pending`) when their jobs could not
 * be added (Redis down), so the next claim retries them at once instead of
 * after the lease. Rows a worker already moved on are left alone.
 */
export async function releaseClaimedEvents(sql: Sql, refs: EventRef[]): Promise<number> {
  if (refs.length === 0) return 0;
  const rows = await sql`
    update outbox_events o
    set status = 'pending', enqueued_at = null, updated_at = now()
    from (select * from jsonb_to_recordset(${refsJson(refs)}::text::jsonb) as t(id bigint, gen int) limit ${refs.length}) t -- see refsJson
    where o.id = t.id and o.generation = t.gen and o.status = 'enqueued'
    returning o.id`;
  return rows.length;
}
