import { sql } from 'drizzle-orm';
import { bigint, index, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts';

/**
 * Orders, resting or final. `priority` is the time priority on the book (an
 * identity, so it also orders an account's orders newest-first for keyset
 * pagination). `symbol` has no foreign key: an order for an unknown symbol is
 * stored as rejected.
 */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey(),
    priority: bigint('priority', { mode: 'bigint' }).notNull().generatedAlwaysAsIdentity(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    clientOrderId: text('client_order_id'),
    symbol: text('symbol').notNull(),
    side: text('side', { enum: ['buy', 'sell'] }).notNull(),
    type: text('type', { enum: ['limit', 'market'] }).notNull(),
    timeInForce: text('time_in_force', { enum: ['GTC', 'IOC'] }).notNull(),
    price: numeric('price', { precision: 28, scale: 8 }),
    quantity: bigint('quantity', { mode: 'number' }).notNull(),
    cumQty: bigint('cum_qty', { mode: 'number' }).notNull().default(0),
    leavesQty: bigint('leaves_qty', { mode: 'number' }).notNull(),
    cumNotional: numeric('cum_notional', { precision: 38, scale: 8 }).notNull().default('0'),
    avgPx: numeric('avg_px', { precision: 28, scale: 8 }),
    status: text('status', {
      enum: ['working', 'partially_filled', 'filled', 'cancelled', 'rejected'],
    }).notNull(),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('orders_account_client_order_id_uq').on(t.accountId, t.clientOrderId),
    index('orders_account_priority_idx').on(t.accountId, t.priority.desc()),
    // The book: only live orders, in the order matching walks them.
    index('orders_book_idx')
      .on(t.symbol, t.side, t.price, t.priority)
      .where(sql`status in ('working', 'partially_filled')`),
  ],
);
