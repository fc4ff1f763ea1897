import { bigint, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** One row per admin request that changed something. */
export const auditEvents = pgTable('audit_events', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  target: text('target').notNull(),
  params: jsonb('params').notNull().default({}),
  at: timestamp('at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
