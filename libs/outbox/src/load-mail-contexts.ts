import type { Sql } from 'postgres';
import type { DeliveryStatus } from '@execn/db';
import { refsJson, type EventRef } from './event-ref';

/** What the mail worker needs to send one event generation's mail. */
export interface MailContext extends EventRef {
  payload: Record<string, unknown>;
  /** The event's generation now: another than the job's means it was requeued since, and that mail is stale. */
  currentGeneration: number;
  /** The account's email, or null when the account is gone. */
  email: string | null;
  /** The mail delivery's status, or null when it is not recorded yet. */
  deliveryStatus: DeliveryStatus | null;
}

/** Loads mail contexts for a batch of jobs; one entry per input, null when the event is gone. */
export async function loadMailContexts(sql: Sql, refs: EventRef[]): Promise<Array<MailContext | null>> {
  if (refs.length === 0) return [];
  const rows = await sql<
    { id: string; gen: number; current_generation: number; payload: Record<string, unknown>; email: string | null; delivery_status: DeliveryStatus | null }[]
  >`
    select o.id::text as id, t.gen, o.generation as current_generation, o.payload, a.email, d.status as delivery_status
    from (select * from jsonb_to_recordset(${refsJson(refs)}::text::jsonb) as t(id bigint, gen int) limit ${refs.length}) t -- see refsJson
    join outbox_events o on o.id = t.id
    left join accounts a on a.id = o.account_id
    -- LATERAL: one index probe per event, whatever the table's statistics said when the plan was made
    -- (see completeEventDispatch).
    left join lateral (select status from notification_deliveries
                       where event_id = t.id and channel = 'mail' and generation = t.gen limit 1) d on true`;
  const byKey = new Map(rows.map((r) => [`${r.id}:${r.gen}`, r]));
  return refs.map((ref) => {
    const r = byKey.get(`${ref.eventId}:${ref.generation}`);
    return r
      ? { ...ref, payload: r.payload, currentGeneration: r.current_generation, email: r.email, deliveryStatus: r.delivery_status }
      : null;
  });
}
