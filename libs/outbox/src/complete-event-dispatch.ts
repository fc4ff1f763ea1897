import type { Sql } from 'postgres';
import { sortByEventId, type EventRef } from './event-ref';

/** What happened to one event's notifications, recorded when it is marked processed. */
export interface DispatchOutcome extends EventRef {
  /** The broadcast's outcome; undefined when the event has no websocket channel. */
  websocket?: { status: 'sent' | 'failed'; error: string | null };
  /** True when a mail job was added: its delivery is recorded `pending` in the same statement. */
  mail: boolean;
}

/** Per input: whether this call marked the row processed, and commit → processed in seconds. */
export interface CompletedDispatch {
  processed: boolean;
  dispatchSeconds: number | null;
}

/**
 * Records the websocket delivery, records the mail delivery `pending` (never
 * downgrading one the mail worker already sent) and marks the events
 * `processed` (processed_at, attempts + 1), all in one statement, so the mail
 * delivery exists no later than the mark and the reconciliation can find a
 * mail whose job vanished.
 */
export async function completeEventDispatch(sql: Sql, outcomes: DispatchOutcome[]): Promise<CompletedDispatch[]> {
  if (outcomes.length === 0) return [];
  const input = JSON.stringify(
    sortByEventId(outcomes).map((o) => ({
      id: o.eventId,
      gen: o.generation,
      ws_status: o.websocket?.status ?? null,
      ws_error: o.websocket?.error ?? null,
      mail: o.mail,
    })),
  );
  const rows = await sql<{ id: string; generation: number; seconds: number }[]>`
    with t as (
      -- The same event can be in one batch twice (a job re-added after a Redis wipe while the old one still ran);
      -- ON CONFLICT may touch a row once per statement.
      select distinct on (id, gen) * from jsonb_to_recordset(${input}::text::jsonb)
        as t(id bigint, gen int, ws_status text, ws_error text, mail boolean)
      order by id, gen, ws_status desc nulls last
    ),
    ws as (
      insert into notification_deliveries (event_id, channel, generation, status, attempts, last_error)
      select t.id, 'websocket', t.gen, t.ws_status, 1, t.ws_error from t where t.ws_status is not null
      on conflict (event_id, channel, generation) do update
      set status = excluded.status, attempts = notification_deliveries.attempts + 1,
          last_error = excluded.last_error, updated_at = now()
    ),
    mail as (
      insert into notification_deliveries (event_id, channel, generation, status)
      select t.id, 'mail', t.gen, 'pending' from t where t.mail
      on conflict (event_id, channel, generation) do nothing
    )
    update outbox_events o
    set status = 'processed', processed_at = now(), attempts = o.attempts + 1, last_error = null, updated_at = now()
    from t
    where o.id = t.id and o.generation = t.gen and o.status <> 'processed'
    returning o.id::text as id, o.generation, extract(epoch from (now() - o.created_at))::float8 as seconds`;
  const byKey = new Map(rows.map((r) => [`${r.id}:${r.generation}`, r.seconds]));
  return outcomes.map((o) => {
    const seconds = byKey.get(`${o.eventId}:${o.generation}`);
    return { processed: seconds !== undefined, dispatchSeconds: seconds ?? null };
  });
}
