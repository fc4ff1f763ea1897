import { listReports } from '@execn/orders';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { listReportsQuerySchema } from '../schemas/query.schemas';

/** `GET /v1/execution-reports?sinceSeq=N&limit=` → `{reports, lastSeq}`, ascending by seq. */
export const listExecutionReportsHandler: Handler = async ({ deps, principal, query }) => {
  const q = parseInput(listReportsQuerySchema, query);
  return { status: 200, body: await listReports(deps.db.sql, { accountId: principal.accountId }, q) };
};
