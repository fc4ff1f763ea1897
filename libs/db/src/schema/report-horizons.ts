import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The replay horizon of each account: the highest report seq retention has
 * deleted. Reports after `sinceSeq` are gone exactly when `sinceSeq` is below
 * it, so `resume` and `GET /v1/execution-reports` answer `resume_horizon`
 * with `oldestSeq = deletedThroughSeq + 1` (every report from there on is
 * kept). A table of its own, written only by retention in the transaction of
 * its delete: the order transaction's row of `accounts` is never locked by it,
 * and one primary-key probe answers the check. An account without a row has
 * lost nothing.
 */
export const reportHorizons = pgTable('report_horizons', {
  accountId: text('account_id').primaryKey(),
  deletedThroughSeq: bigint('deleted_through_seq', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
