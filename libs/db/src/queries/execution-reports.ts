import type { Sql } from 'postgres';
import { ReplayHorizonError, type ExecutionReport } from '@execn/contracts';
import { isUuid } from '../is-uuid';

/**
 * The report log: `execution.report` outbox rows carry their account's seq, so
 * the outbox is also what REST `/v1/execution-reports` and WebSocket `resume`
 * replay from. `eventId` is the row id (a string), filled in on read.
 *
 * Retention deletes old reports and records, per account, the highest seq it
 * deleted (`report_horizons`). The page and that horizon are read in one
 * statement, so in one snapshot: a delete that commits meanwhile is either
 * wholly seen (the horizon refuses the read) or not at all (the rows are
 * there). The horizon costs one primary-key probe.
 *
 * @throws ReplayHorizonError when reports after `sinceSeq` were deleted.
 */
export async function listReportsSince(
  sql: Sql,
  accountId: string,
  sinceSeq: number,
  limit: number,
): Promise<ExecutionReport[]> {
  const rows = await sql<{ deleted_through: string | null; id: string | null; payload: Omit<ExecutionReport, 'eventId'> | null }[]>`
    select h.deleted_through_seq::text as deleted_through, e.id::text as id, e.payload
    from (values (1)) as one (x)
    left join report_horizons h on h.account_id = ${accountId}
    left join lateral (
      select id, payload, seq from outbox_events
      where account_id = ${accountId} and seq > ${sinceSeq} and type = 'execution.report'
      order by seq
      limit ${limit}
    ) e on true
    order by e.seq`;
  const deletedThrough = Number(rows[0]?.deleted_through ?? 0);
  if (deletedThrough > sinceSeq) throw new ReplayHorizonError(deletedThrough + 1);
  return rows.flatMap((r) => (r.id === null || r.payload === null ? [] : [{ ...r.payload, eventId: r.id }]));
}

/** The account's latest report seq (0 when it has none or does not exist). */
export async function lastReportSeq(sql: Sql, accountId: string): Promise<number> {
  const [row] = await sql<{ seq: string }[]>`select report_seq::text as seq from accounts where id = ${accountId}`;
  return row ? Number(row.seq) : 0;
}

/** The owner of an order, or null when it does not exist. */
export async function findOrderOwner(sql: Sql, orderId: string): Promise<string | null> {
  if (!isUuid(orderId)) return null;
  const [row] = await sql<{ account_id: string }[]>`select account_id from orders where id = ${orderId}`;
  return row?.account_id ?? null;
}
