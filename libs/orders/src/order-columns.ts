import type { SqlOrTx } from '@execn/db';

/**
 * The columns `toOrderRecord` reads, with int8 and numeric as text so nothing
 * passes through a binary float. A fragment, so it nests in any query.
 */
export function orderColumns(sql: SqlOrTx) {
  return sql`id::text as id, priority::text as priority, account_id, client_order_id, symbol, side, type,
    time_in_force, price::text as price, quantity::text as quantity, cum_qty::text as cum_qty,
    leaves_qty::text as leaves_qty, cum_notional::text as cum_notional, status, reason, created_at, updated_at`;
}
