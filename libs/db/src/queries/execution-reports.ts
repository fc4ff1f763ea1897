import type { Sql } from 'postgres';
import type { ExecutionReport } from '@execn/contracts';
import { isUuid } from '../is-uuid';

/**
 * The report log: `execution.report` outbox rows carry their account's seq, so
 * the outbox is also what REST `/v1/execution-reports` and WebSocket `resume`
 * replay from. `eventId` is the row id (a string), filled in on read.
 */
export async function listReportsSince(
  sql: Sql,
  accountId: string,
  sinceSeq: number,
  limit: number,
): Promise<ExecutionReport[]> {
  const rows = await sql<{ id: string; payload: Omit<ExecutionReport, 'eventId'> }[]>`
    select id::text as id, payload
    from outbox_events
    where account_id = ${accountId} and seq > ${sinceSeq} and type = 'execution.report'
    order by seq
    limit ${limit}`;
  return rows.map((r) => ({ ...r.payload, eventId: r.id }));
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
