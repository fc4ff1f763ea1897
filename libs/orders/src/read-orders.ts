import { DomainError, isInt8Decimal, type OrderPage, type OrderStatus, type OrderView } from '@execn/contracts';
import { isUuid, type SqlOrTx } from '@execn/db';
import { orderColumns } from './order-columns';
import { notFound } from './order-lookup';
import { toOrderRecord, toOrderView, type OrderRow } from './order-record';
import type { Trader } from './order-result';

/**
 * The caller's order.
 *
 * @throws DomainError not_found `not_found` when it does not exist or is another account's.
 */
export async function getOrder(sql: SqlOrTx, trader: Trader, orderId: string): Promise<OrderView> {
  if (!isUuid(orderId)) throw notFound();
  const [row] = await sql<OrderRow[]>`
    select ${orderColumns(sql)} from orders where id = ${orderId} and account_id = ${trader.accountId}`;
  if (row === undefined) throw notFound();
  return toOrderView(toOrderRecord(row));
}

/** Filters and page of `listOrders`. */
export interface ListOrdersOptions {
  status?: OrderStatus;
  symbol?: string;
  /** 1-1000. @default 100 */
  limit?: number;
  /** The previous page's `nextCursor`. */
  cursor?: string | null;
}

/** A page of orders, newest first (its one description is `orderPageSchema`). */
export type { OrderPage };

/**
 * The caller's orders, newest first, with keyset pagination on `priority`
 * (an identity: newer orders have higher values), so pages neither skip nor
 * repeat while orders keep arriving. The cursor is the last priority seen.
 *
 * @throws DomainError invalid `validation_error` for a malformed cursor.
 */
export async function listOrders(sql: SqlOrTx, trader: Trader, options: ListOrdersOptions = {}): Promise<OrderPage> {
  const limit = options.limit ?? 100;
  const cursor = options.cursor ?? null;
  if (cursor !== null && !isInt8Decimal(cursor)) {
    throw new DomainError('invalid', 'validation_error', 'Invalid request', [{ field: 'cursor', message: 'malformed cursor' }]);
  }
  const rows = await sql<OrderRow[]>`
    select ${orderColumns(sql)} from orders
    where account_id = ${trader.accountId}
      ${options.status === undefined ? sql`` : sql`and status = ${options.status}`}
      ${options.symbol === undefined ? sql`` : sql`and symbol = ${options.symbol}`}
      ${cursor === null ? sql`` : sql`and priority < ${cursor}::bigint`}
    order by orders.priority desc
    limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  return {
    orders: page.map((r) => toOrderView(toOrderRecord(r))),
    nextCursor: rows.length > limit ? page[page.length - 1]!.priority : null,
  };
}
