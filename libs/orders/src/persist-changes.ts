import { EXECUTION_REPORT_EVENT, type ExecutionReport } from '@execn/contracts';
import { OUTBOX_NOTIFY_CHANNEL } from '@execn/db';
import { formatDecimal } from '@execn/matching';
import type { ReservedSql } from 'postgres';
import type { Committer } from './pipelined-transaction';
import type { BatchChanges, TradeRecord } from './match-batch';
import { avgPxString, stateOf, type OrderRecord } from './order-record';
import { toStoredReport } from './pending-report';

/** Options of the write step. */
export interface PersistOptions {
  /** Wake the outbox relay with one NOTIFY per transaction. @default true */
  notify?: boolean;
}

/**
 * Writes one transaction's changes and commits, in ONE pipelined round trip
 * of a fixed handful of multi-row statements (no per-row round trip):
 *
 * 1. lock the reporting accounts in id order (`for no key update`: it
 *    serialises seq allocation but, unlike `for update`, not the orders'
 *    foreign-key checks, which take `for key share`), so concurrent
 *    transactions sharing accounts queue instead of deadlocking;
 * 2. bump each account's `report_seq` by its number of reports;
 * 3. write orders, resting-order updates and trades;
 * 4. insert the outbox rows, each taking its account's next gap-free seq in
 *    event order (computed in SQL from the bumped `report_seq`);
 * 5. NOTIFY, COMMIT.
 *
 * @returns the written reports with their `eventId`, keyed by the order id of
 *   the request that caused them, holding only that order's own reports.
 */
export async function persistChanges(
  tx: ReservedSql,
  commit: Committer,
  changes: Pick<BatchChanges, 'inserted' | 'updated' | 'trades' | 'reports'>,
  at: Date,
  options: PersistOptions = {},
): Promise<Map<string, ExecutionReport[]>> {
  // Each report's position among its account's reports of this transaction.
  const counts = new Map<string, number>();
  const ordinals = changes.reports.map((p) => {
    const k = (counts.get(p.order.accountId) ?? 0) + 1;
    counts.set(p.order.accountId, k);
    return k;
  });
  const accountIds = [...counts.keys()].sort();
  const drafts = changes.reports.map((p) => toStoredReport(p, 0));
  const reportsParam = drafts.map((d, i) => {
    const { seq: _seq, execId: _execId, ...payload } = d;
    return { k: ordinals[i], n: counts.get(d.accountId), p: payload };
  });
  const stamp = at.toISOString();
  const results = await commit([
    tx`select id from accounts where id = any(${accountIds}::text[]) order by id for no key update`,
    tx<{ id: string; seq: string }[]>`
      update accounts a set report_seq = a.report_seq + c.n
      from json_to_recordset(${rowsParam([...counts].map(([id, n]) => ({ id, n })))}::text::json) as c(id text, n bigint)
      where a.id = c.id
      returning a.id, a.report_seq::text as seq`,
    changes.inserted.length > 0 ? insertOrders(tx, changes.inserted) : null,
    changes.updated.length > 0 ? updateOrders(tx, changes.updated, at) : null,
    changes.trades.length > 0 ? insertTrades(tx, changes.trades, at) : null,
    tx<{ id: string; account_id: string; seq: string }[]>`
      insert into outbox_events (type, order_id, account_id, seq, payload, created_at, updated_at)
      select ${EXECUTION_REPORT_EVENT}, (r.e -> 'p' ->> 'orderId')::uuid, a.id, s.seq,
             (r.e -> 'p') || jsonb_build_object('seq', s.seq, 'execId', (r.e -> 'p' ->> 'orderId') || ':' || s.seq),
             ${stamp}::timestamptz, ${stamp}::timestamptz
      from jsonb_array_elements(${rowsParam(reportsParam)}::text::jsonb) with ordinality as r(e, i)
      join accounts a on a.id = r.e -> 'p' ->> 'accountId'
      cross join lateral (select a.report_seq - (r.e ->> 'n')::bigint + (r.e ->> 'k')::bigint as seq) s
      order by r.i
      returning id::text as id, account_id, seq::text as seq`,
    (options.notify ?? true) ? tx`select pg_notify(${OUTBOX_NOTIFY_CHANNEL}, '')` : null,
  ]);
  const bumped = results[1] as { id: string; seq: string }[];
  const events = results[5] as { id: string; account_id: string; seq: string }[];

  const base = new Map(bumped.map((a) => [a.id, Number(a.seq) - counts.get(a.id)!]));
  const eventIds = new Map(events.map((e) => [`${e.account_id}:${e.seq}`, e.id]));
  const byOrder = new Map<string, ExecutionReport[]>();
  changes.reports.forEach((p, i) => {
    if (p.originId !== p.order.id) return;
    const seq = base.get(p.order.accountId)! + ordinals[i]!;
    const report = toStoredReport(p, seq);
    const list = byOrder.get(report.orderId) ?? [];
    list.push({ ...report, eventId: eventIds.get(`${report.accountId}:${seq}`)! });
    byOrder.set(report.orderId, list);
  });
  return byOrder;
}

/** Rows travel as one JSON parameter: one statement text whatever the row count, and exact decimals as strings. */
function rowsParam(rows: unknown[]): string {
  return JSON.stringify(rows);
}

function insertOrders(tx: ReservedSql, orders: OrderRecord[]) {
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
    from json_to_recordset(${rowsParam(rows)}::text::json) as v(id uuid, priority bigint, account_id text,
      client_order_id text, symbol text, side text, type text, time_in_force text, price numeric, quantity bigint,
      cum_qty bigint, leaves_qty bigint, cum_notional numeric, avg_px numeric, status text, reason text,
      created_at timestamptz, updated_at timestamptz)`;
}

function updateOrders(tx: ReservedSql, orders: OrderRecord[], at: Date) {
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
    from json_to_recordset(${rowsParam(rows)}::text::json) as v(id uuid, cum_qty bigint, leaves_qty bigint,
      cum_notional numeric, avg_px numeric, status text, reason text)
    where o.id = v.id`;
}

function insertTrades(tx: ReservedSql, trades: TradeRecord[], at: Date) {
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
    from json_to_recordset(${rowsParam(rows)}::text::json) as v(id uuid, symbol text, price numeric, quantity bigint,
      buy_order_id uuid, sell_order_id uuid, aggressor_side text)`;
}
