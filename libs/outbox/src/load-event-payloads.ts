import type { Sql } from 'postgres';
import { refsJson, type EventRef } from './event-ref';

/**
 * Reads the payloads of a batch of events, one entry per input in input order
 * (null where the row does not exist). Only for outbox jobs that do not carry
 * their payload (added by a version before payloads travelled in the job).
 */
export async function loadEventPayloads(sql: Sql, refs: EventRef[]): Promise<Array<Record<string, unknown> | null>> {
  if (refs.length === 0) return [];
  const rows = await sql<{ id: string; payload: Record<string, unknown> }[]>`
    select o.id::text as id, o.payload
    from outbox_events o
    where o.id in (select t.id from jsonb_to_recordset(${refsJson(refs)}::text::jsonb) as t(id bigint, gen int) limit ${refs.length})`; // the LIMIT: see refsJson
  const byId = new Map(rows.map((r) => [r.id, r.payload]));
  return refs.map((r) => byId.get(r.eventId) ?? null);
}
