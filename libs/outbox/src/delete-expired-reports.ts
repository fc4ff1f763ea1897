import type { Sql } from 'postgres';

/**
 * Key of the transaction-level advisory lock that lets one retention batch run
 * at a time across every poller (the rows are claimed with SKIP LOCKED too, so
 * two at once would be correct, only twice the load for nothing).
 */
const RETENTION_LOCK_KEY = 7_240_101;

/** What one retention batch did. */
export interface ExpiredReportsBatch {
  /** False when another process held the retention lock: nothing was looked at. */
  ran: boolean;
  /** Report rows deleted (their deliveries went with them). */
  deleted: number;
}

/**
 * Deletes up to `limit` `execution.report` rows created before `cutoff` whose
 * dispatch is finished (`processed`, and no mail delivery `pending`: a
 * delivery `held` for an order summary is not finished either; any other
 * status, including ones added later, is), with their delivery records (the foreign key
 * cascades), and raises each account's replay horizon to the highest seq
 * deleted, in one statement, so a reader sees both or neither.
 *
 * Why it never gets in the hot path's way: it walks `outbox_events_created_at_idx`
 * from the oldest row, so it reads only rows past the retention (the deletable
 * ones and the few unfinished ones kept); it locks only those rows, skipping
 * any another transaction holds (a requeue in progress), and those are rows
 * the order transaction, the claim and the worker never touch again; the
 * horizon is a table of its own (the order transaction's `accounts` row is
 * not locked). A lock it would have to wait for all the same (`lock_timeout`)
 * ends the batch instead of holding its locks while it waits.
 */
export async function deleteExpiredReports(sql: Sql, options: { cutoff: Date; limit: number }): Promise<ExpiredReportsBatch> {
  return sql.begin(async (tx) => {
    // The lock timeout (for this transaction only) and the advisory lock in one round trip.
    const [lock] = await tx<{ got: boolean }[]>`
      select set_config('lock_timeout', '200ms', true), pg_try_advisory_xact_lock(${RETENTION_LOCK_KEY}) as got`;
    if (!lock?.got) return { ran: false, deleted: 0 };
    const [row] = await tx<{ deleted: number }[]>`
      with doomed as (
        select e.id
        from outbox_events e
        where e.created_at < ${options.cutoff.toISOString()}::timestamptz
          and e.type = 'execution.report'
          and e.status = 'processed'
          and not exists (
            select 1 from notification_deliveries d
            where d.event_id = e.id and d.channel = 'mail' and d.status in ('pending', 'held'))
        order by e.created_at
        limit ${options.limit}
        for update of e skip locked
      ),
      gone as (
        delete from outbox_events e using doomed
        where e.id = doomed.id and e.status = 'processed'
        returning e.account_id, e.seq
      ),
      horizons as (
        insert into report_horizons (account_id, deleted_through_seq)
        select account_id, max(seq) from gone where seq is not null group by account_id
        on conflict (account_id) do update
          set deleted_through_seq = greatest(report_horizons.deleted_through_seq, excluded.deleted_through_seq),
              updated_at = now()
      )
      select count(*)::int as deleted from gone`;
    return { ran: true, deleted: row?.deleted ?? 0 };
  });
}
