import { listAudit } from '@execn/audit';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { listAuditQuerySchema } from '../schemas/query.schemas';

/** `GET /admin/audit?limit=&cursor=` → `{entries, nextCursor}`, newest first. */
export const listAuditHandler: Handler = async ({ deps, query }) => {
  const q = parseInput(listAuditQuerySchema, query);
  return { status: 200, body: await listAudit(deps.db.sql, q) };
};
