import { EXECUTION_REPORT_EVENT, type ExecutionReport, type StoredExecutionReport } from '@execn/contracts';
import { OUTBOX_NOTIFY_CHANNEL } from '@execn/db';
import { formatDecimal } from '@execn/matching';
import type { TransactionSql } from 'postgres';
import type { BatchChanges, TradeRecord } from './match-batch';
import { avgPxString, stateOf, type OrderRecord } from './order-record';
import { toStoredReport } from './pending-report';

/** Options of the write step. */
export interface PersistOptions {
  /** Wake the outbox relay with one NOTIFY per transaction. @default true */
  notify?: boolean;
}

/**
 * Writes one transaction's changes with a fixed handful of multi-row
 * statements, pipelined (no per-row round trip):
 *
 * 1. lock the reporting accounts in id order (`for no key update`: it
 *    serialises seq allocation but, unlike `for update`, not the orders'
 *    foreign-key checks, which take `for key share`), and write orders and trades;
 * 2. number the reports (each account's next gap-free seqs, in event order),
 *    bump `accounts.report_seq`, insert the outbox rows, NOTIFY.
 *
 * @returns the written reports with their `eventId`, keyed by the order id of
 *   the request that caused them, holding only that order's own reports.
 */
export async function persistChanges(
  tx: TransactionSql,
  changes: Pick<BatchChanges, 'inserted' | 'updated' | 'trades' | 'reports'>,
  at: Date,
  options: PersistOptions = {},
): Promise<Map<string, ExecutionReport[]>> {
  const accountIds = [...new Set(changes.reports.map((r) => r.order.accountId))].sort();
  const [locked] = await Promise.all([
    tx<{ id: string; seq: string }[]>`
      select id, report_seq::text as seq from accounts where id = any(${accountIds}::text[])
      order by id for no key update`,
    changes.inserted.length > 0 ? insertOrders(tx, changes.inserted) : null,
    changes.updated.length > 0 ? updateOrders(tx, changes.updated, at) : null,
    changes.trades.length > 0 ? insertTrades(tx, changes.trades, at) : null,
  ]);

  const next = new Map(locked.map((a) => [a.id, Number(a.seq)]));
  const stored: StoredExecutionReport[] = changes.reports.map((p) => {
    const seq = (next.get(p.order.accountId) ?? 0) + 1;
    next.set(p.order.accountId, seq);
    return toStoredReport(p, seq);
  });
  const [, events] = await Promise.all([
    tx`
      update accounts a set report_seq = v.seq
      from json_to_recordset(${rowsParam([...next].map(([id, seq]) => ({ id, seq })))}::json) as v(id text, seq bigint)
      where a.id = v.id`,
    tx<{ id: string; account_id: string; seq: string }[]>`
      insert into outbox_events (type, order_id, account_id, seq, payload, created_at, updated_at)
      select ${EXECUTION_REPORT_EVENT}, (v.p ->> 'orderId')::uuid, v.p ->> 'accountId', (v.p ->> 'seq')::bigint, v.p, ${at.toISOString()}::timestamptz, ${at.toISOString()}::timestamptz
      from jsonb_array_elements(${rowsParam(stored)}::jsonb) with ordinality as v(p, n)
      order by v.n
      returning id::text as id, account_id, seq::text as seq`,
    (options.notify ?? true) ? tx`select pg_notify(${OUTBOX_NOTIFY_CHANNEL}, '')` : null,
  ]);

  const eventIds = new Map(events.map((e) => [`${e.account_id}:${e.seq}`, e.id]));
  const byOrder = new Map<string, ExecutionReport[]>();
  stored.forEach((r, i) => {
    if (changes.reports[i]!.originId !== r.orderId) return;
    const list = byOrder.get(r.orderId) ?? [];
    list.push({ ...r, eventId: eventIds.get(`${r.accountId}:${r.seq}`)! });
    byOrder.set(r.orderId, list);
  });
  return byOrder;
}

/** Rows travel as one JSON parameter: one statement text whatever the row count, and exact decimals as strings. */
function rowsParam(rows: unknown[]): string {
  return JSON.stringify(rows);
}

function insertOrders(tx: TransactionSql, orders: OrderRecord[]) {
  const rows = orders.map((o) => ({
    id: o.id,
    priority: o.priority.toString(),
    account_id: o.accountId,
    client_order_id: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    time_in_force: o.timeInForce,
    price: o.price === null ? null : formatDecimal(o.price),
    quantity: o.quantity,
    cum_qty: o.cumQty,
    leaves_qty: o.leavesQty,
    cum_notional: formatDecimal(o.cumNotional),
    avg_px: avgPxString(stateOf(o)),
    status: o.status,
    reason: o.reason,
    created_at: o.createdAt.toISOString(),
    updated_at: o.updatedAt.toISOString(),
  }));
  return tx`
    insert into orders (id, priority, account_id, client_order_id, symbol, side, type, time_in_force, price,
      quantity, cum_qty, leaves_qty, cum_notional, avg_px, status, reason, created_at, updated_at)
    overriding system value
    select id, priority, account_id, client_order_id, symbol, side, type, time_in_force, price,
      quantity, cum_qty, leaves_qty, cum_notional, avg_px, status, reason, created_at, updated_at
    from json_to_recordset(${rowsParam(rows)}::json) as v(id uuid, priority bigint, account_id text,
      client_order_id text, symbol text, side text, type text, time_in_force text, price numeric, quantity bigint,
      cum_qty bigint, leaves_qty bigint, cum_notional numeric, avg_px numeric, status text, reason text,
      created_at timestamptz, updated_at timestamptz)`;
}

function updateOrders(tx: TransactionSql, orders: OrderRecord[], at: Date) {
  const rows = orders.map((o) => ({
    id: o.id,
    cum_qty: o.cumQty,
    leaves_qty: o.leavesQty,
    cum_notional: formatDecimal(o.cumNotional),
    avg_px: avgPxString(stateOf(o)),
    status: o.status,
    reason: o.reason,
  }));
  return tx`
    update orders o set cum_qty = v.cum_qty, leaves_qty = v.leaves_qty, cum_notional = v.cum_notional,
      avg_px = v.avg_px, status = v.status, reason = v.reason, updated_at = ${at.toISOString()}::timestamptz
    from json_to_recordset(${rowsParam(rows)}::json) as v(id uuid, cum_qty bigint, leaves_qty bigint,
      cum_notional numeric, avg_px numeric, status text, reason text)
    where o.id = v.id`;
}

function insertTrades(tx: TransactionSql, trades: TradeRecord[], at: Date) {
  const rows = trades.map((t) => ({
    id: t.id,
    symbol: t.symbol,
    price: formatDecimal(t.price),
    quantity: t.quantity,
    buy_order_id: t.buyOrderId,
    sell_order_id: t.sellOrderId,
    aggressor_side: t.aggressorSide,
  }));
  return tx`
    insert into trades (id, symbol, price, quantity, buy_order_id, sell_order_id, aggressor_side, created_at)
    select id, symbol, price, quantity, buy_order_id, sell_order_id, aggressor_side, ${at.toISOString()}::timestamptz
    from json_to_recordset(${rowsParam(rows)}::json) as v(id uuid, symbol text, price numeric, quantity bigint,
      buy_order_id uuid, sell_order_id uuid, aggressor_side text)`;
}
