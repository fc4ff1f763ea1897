import { bigint, index, numeric, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** One fill between a buy and a sell order, at the resting order's price. */
export const trades = pgTable(
  'trades',
  {
    id: uuid('id').primaryKey(),
    symbol: text('symbol').notNull(),
    price: numeric('price', { precision: 28, scale: 8 }).notNull(),
    quantity: bigint('quantity', { mode: 'number' }).notNull(),
    buyOrderId: uuid('buy_order_id').notNull(),
    sellOrderId: uuid('sell_order_id').notNull(),
    aggressorSide: text('aggressor_side', { enum: ['buy', 'sell'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('trades_buy_order_idx').on(t.buyOrderId), index('trades_sell_order_idx').on(t.sellOrderId)],
);
