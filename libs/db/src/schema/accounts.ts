import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** A trader account. `reportSeq` is the last execution-report seq handed out (gap-free, per account). */
export const accounts = pgTable('accounts', {
  id: text('id').primaryKey(),
  email: text('email').notNull(),
  name: text('name'),
  reportSeq: bigint('report_seq', { mode: 'number' }).notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
