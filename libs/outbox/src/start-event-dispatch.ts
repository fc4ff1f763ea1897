import type { Sql } from 'postgres';
import type { OutboxStatus } from '@execn/db';
import { refsJson, sortByEventId, type EventRef } from './event-ref';

/** An event as the outbox worker sees it when it starts dispatching a job. */
export interface DispatchableEvent extends EventRef {
  type: string;
  /** The row's current generation (a different one means the job is stale). */
  currentGeneration: number;
  /** The status BEFORE this call marked it `processing`. */
  previousStatus: OutboxStatus;
  accountId: string;
  orderId: string | null;
  payload: Record<string, unknown>;
  /** As PostgreSQL text (drizzle's postgres.js setup leaves timestamps unparsed). */
  createdAt: string;
  /** The account's email, or null when the account is gone. */
  email: string | null;
  /** False when the order row is gone (the event is still dispatched). */
  orderExists: boolean;
}

/**
 * Loads a batch of events and marks those that still need dispatching (not
 * processed, same generation) `processing`, in one statement. Returns one entry
 * per input, in input order; null where the row does not exist.
 */
export async function startEventDispatch(sql: Sql, refs: EventRef[]): Promise<Array<DispatchableEvent | null>> {
  if (refs.length === 0) return [];
  const rows = await sql<
    {
      id: string;
      type: string;
      generation: number;
      status: OutboxStatus;
      account_id: string;
      order_id: string | null;
      payload: Record<string, unknown>;
      created_at: string;
      email: string | null;
      order_exists: boolean;
    }[]
  >`
    with t as (select * from jsonb_to_recordset(${refsJson(sortByEventId(refs))}::text::jsonb) as t(id bigint, gen int)),
    marked as (
      update outbox_events o
      set status = 'processing', updated_at = now()
      from t
      where o.id = t.id and o.generation = t.gen and o.status <> 'processed'
    )
    select o.id::text as id, o.type, o.generation, o.status, o.account_id, o.order_id, o.payload, o.created_at,
           a.email, (ord.id is not null) as order_exists
    from t
    join outbox_events o on o.id = t.id
    left join accounts a on a.id = o.account_id
    left join orders ord on ord.id = o.order_id`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  return refs.map((ref) => {
    const r = byId.get(ref.eventId);
    if (!r) return null;
    return {
      eventId: ref.eventId,
      generation: ref.generation,
      currentGeneration: r.generation,
      type: r.type,
      previousStatus: r.status,
      accountId: r.account_id,
      orderId: r.order_id,
      payload: r.payload,
      createdAt: r.created_at,
      email: r.email,
      orderExists: r.order_exists,
    };
  });
}
