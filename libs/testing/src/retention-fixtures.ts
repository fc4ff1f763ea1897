import type { Sql } from 'postgres';
import type { OutboxStatus } from '@execn/db';

/** How `ageReports` leaves the reports it ages. */
export interface AgedReports {
  /** How far in the past they were created (and, when processed, dispatched). */
  ageMs: number;
  /** @default 'processed' */
  status?: OutboxStatus;
  /** Their mail delivery's status; null: none recorded. A websocket delivery `sent` is always recorded. @default 'sent' */
  mailStatus?: string | null;
}

/**
 * Test-only: makes an account's reports (by seq) look written and dispatched
 * `ageMs` ago, with their delivery records, so retention can be tested without
 * waiting: `created_at` (and `processed_at` when processed) moved to the past.
 * Returns the event ids.
 */
export async function ageReports(sql: Sql, accountId: string, seqs: number[], aged: AgedReports): Promise<string[]> {
  const status = aged.status ?? 'processed';
  const mailStatus = aged.mailStatus === undefined ? 'sent' : aged.mailStatus;
  const rows = await sql<{ id: string }[]>`
    with aged as (
      update outbox_events
      set status = ${status},
          created_at = now() - ${aged.ageMs} * interval '1 millisecond',
          processed_at = case when ${status} = 'processed' then now() - ${aged.ageMs} * interval '1 millisecond' end,
          updated_at = now() - ${aged.ageMs} * interval '1 millisecond'
      where account_id = ${accountId} and seq = any(${seqs}::bigint[])
      returning id, generation
    ),
    deliveries as (
      insert into notification_deliveries (event_id, channel, generation, status)
      select id, 'websocket', generation, 'sent' from aged
      union all
      select id, 'mail', generation, ${mailStatus}::text from aged where ${mailStatus}::text is not null
      on conflict (event_id, channel, generation) do update set status = excluded.status
    )
    select id::text as id from aged order by id`;
  return rows.map((r) => r.id);
}
