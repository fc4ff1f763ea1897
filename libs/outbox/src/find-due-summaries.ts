import type { Sql } from 'postgres';

/** An order whose held mails are due in a summary, and the seq the summary goes through. */
export interface DueSummary {
  orderId: string;
  throughSeq: number;
}

/**
 * Orders with mails `held` for their summary that no job is sure to carry:
 *
 * - the order is final (its final report, or the order row, says so) and its held mails have waited `olderThanMs`
 *   at least: the final report's summary job was never added (a worker died between its mark and the add) or
 *   the final report was not itself held (the preference changed before it). Through the last held report, so a
 *   summary job still on its way is the same job;
 * - the order is still working and some held mails were committed before `cutoff` (the daily summary of a GTC
 *   order): through the last of those.
 */
export async function findDueSummaries(sql: Sql, options: { olderThanMs: number; cutoff: Date; limit: number }): Promise<DueSummary[]> {
  // As text: the drizzle client's postgres.js parses and serialises timestamps as raw strings.
  const cutoff = options.cutoff.toISOString();
  const rows = await sql<{ order_id: string; through_seq: string }[]>`
    with held as (
      select e.order_id, e.seq, e.created_at, d.updated_at,
             coalesce(e.payload ->> 'status' in ('filled', 'cancelled') or o.status in ('filled', 'cancelled', 'rejected'), false) as final
      from notification_deliveries d
      join outbox_events e on e.id = d.event_id
      left join orders o on o.id = e.order_id
      where d.channel = 'mail' and d.status = 'held' and e.order_id is not null
    )
    select order_id::text as order_id,
           (case when bool_or(final) then max(seq) else max(seq) filter (where created_at < ${cutoff}::timestamptz) end)::text as through_seq
    from held
    group by order_id
    having (bool_or(final) and max(updated_at) <= now() - make_interval(secs => ${options.olderThanMs / 1000}))
        or (not bool_or(final) and bool_or(created_at < ${cutoff}::timestamptz))
    limit ${options.limit}`;
  return rows.map((r) => ({ orderId: r.order_id, throughSeq: Number(r.through_seq) }));
}

/** The latest daily cutoff at or before `now`: today's `HH:MM` (UTC) if passed, else yesterday's. */
export function latestDailyCutoff(now: Date, hhmmUtc: string): Date {
  const [h, m] = hhmmUtc.split(':').map(Number) as [number, number];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), h, m);
  return new Date(today <= now.getTime() ? today : today - 86_400_000);
}
