import { MAIL_PREFERENCES } from '@execn/contracts';
import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * A trader account. `reportSeq` is the last execution-report seq handed out (gap-free, per account).
 * `mailPreference` is read by the order transaction under the same row lock that numbers the reports, so a
 * change applies exactly to the reports committed after it.
 */
export const accounts = pgTable('accounts', {
  id: text('id').primaryKey(),
  email: text('email').notNull(),
  name: text('name'),
  reportSeq: bigint('report_seq', { mode: 'number' }).notNull().default(0),
  mailPreference: text('mail_preference', { enum: MAIL_PREFERENCES }).notNull().default('every_report'),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
