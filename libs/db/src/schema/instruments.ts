import { boolean, integer, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** A tradable symbol and its order rules. */
export const instruments = pgTable('instruments', {
  symbol: text('symbol').primaryKey(),
  tickSize: numeric('tick_size', { precision: 28, scale: 8 }).notNull(),
  lotSize: integer('lot_size').notNull().default(1),
  halted: boolean('halted').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
