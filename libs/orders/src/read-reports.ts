import type { ExecutionReport } from '@execn/contracts';
import { lastReportSeq, listReportsSince } from '@execn/db';
import type { Sql } from 'postgres';
import type { Trader } from './order-result';

/** `GET /v1/execution-reports`: the caller's reports after `sinceSeq`, ascending, and its latest seq. */
export async function listReports(
  sql: Sql,
  trader: Trader,
  options: { sinceSeq?: number; limit?: number } = {},
): Promise<{ reports: ExecutionReport[]; lastSeq: number }> {
  // lastSeq first: a report committed in between shows up in `reports` with a
  // seq above lastSeq rather than being announced but missing.
  const lastSeq = await lastReportSeq(sql, trader.accountId);
  const reports = await listReportsSince(sql, trader.accountId, options.sinceSeq ?? 0, options.limit ?? 100);
  return { reports, lastSeq: Math.max(lastSeq, reports.at(-1)?.seq ?? 0) };
}
