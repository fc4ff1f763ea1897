import { getOutboxStats } from '@execn/outbox';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { outboxStatsQuerySchema } from '../schemas/admin-outbox.schemas';

/** `GET /admin/outbox/stats` → `{counts: {pending, enqueued, processing, processed, failed}, oldestPendingSeconds}`. */
export const getOutboxStatsHandler: Handler = async ({ deps, query }) => {
  parseInput(outboxStatsQuerySchema, query);
  return { status: 200, body: await getOutboxStats(deps.db.sql) };
};
