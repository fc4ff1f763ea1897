import type { OrderStatus, OrderView, ReportReason } from '@execn/contracts';
import { avgPxOf, formatDecimal, type OrderState, type RestingOrder } from '@execn/matching';
import { parseUnits } from './decimal-units';

/**
 * An order as the order path holds it in memory: the stored row with prices
 * as 1e-8 units (`bigint`), mutated in place while a transaction matches.
 */
export interface OrderRecord {
  id: string;
  priority: bigint;
  accountId: string;
  clientOrderId: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'limit' | 'market';
  timeInForce: 'GTC' | 'IOC';
  price: bigint | null;
  quantity: number;
  cumQty: number;
  leavesQty: number;
  cumNotional: bigint;
  status: OrderStatus;
  reason: ReportReason | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A row selected with `orderColumns`. */
export interface OrderRow {
  id: string;
  priority: string;
  account_id: string;
  client_order_id: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'limit' | 'market';
  time_in_force: 'GTC' | 'IOC';
  price: string | null;
  quantity: string;
  cum_qty: string;
  leaves_qty: string;
  cum_notional: string;
  status: OrderStatus;
  reason: ReportReason | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/** Maps a stored row to a record. */
export function toOrderRecord(row: OrderRow): OrderRecord {
  return {
    id: row.id,
    priority: BigInt(row.priority),
    accountId: row.account_id,
    clientOrderId: row.client_order_id,
    symbol: row.symbol,
    side: row.side,
    type: row.type,
    timeInForce: row.time_in_force,
    price: row.price === null ? null : parseUnits(row.price),
    quantity: Number(row.quantity),
    cumQty: Number(row.cum_qty),
    leavesQty: Number(row.leaves_qty),
    cumNotional: parseUnits(row.cum_notional),
    status: row.status,
    reason: row.reason,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** The quantity-bearing part of a record, as the engine sees it. */
export function stateOf(record: OrderRecord): OrderState {
  return {
    quantity: record.quantity,
    cumQty: record.cumQty,
    leavesQty: record.leavesQty,
    cumNotional: record.cumNotional,
    status: record.status,
  };
}

/** Copies an engine state into the record. */
export function applyState(record: OrderRecord, state: OrderState, at: Date): void {
  record.quantity = state.quantity;
  record.cumQty = state.cumQty;
  record.leavesQty = state.leavesQty;
  record.cumNotional = state.cumNotional;
  record.status = state.status;
  record.updatedAt = at;
}

/** A live limit order as a matching candidate. */
export function toResting(record: OrderRecord): RestingOrder {
  return {
    id: record.id,
    accountId: record.accountId,
    side: record.side,
    price: record.price as bigint, // only limit orders rest
    quantity: record.quantity,
    cumQty: record.cumQty,
    leavesQty: record.leavesQty,
    cumNotional: record.cumNotional,
    priority: record.priority,
  };
}

/** The average fill price as a canonical decimal string, or null before the first fill. */
export function avgPxString(state: OrderState): string | null {
  const avg = avgPxOf(state);
  return avg === null ? null : formatDecimal(avg);
}

/** The order object of CONTRACT section 4. */
export function toOrderView(record: OrderRecord): OrderView {
  return {
    id: record.id,
    accountId: record.accountId,
    clientOrderId: record.clientOrderId,
    symbol: record.symbol,
    side: record.side,
    type: record.type,
    timeInForce: record.timeInForce,
    price: record.price === null ? null : formatDecimal(record.price),
    quantity: record.quantity,
    cumQty: record.cumQty,
    leavesQty: record.leavesQty,
    avgPx: avgPxString(stateOf(record)),
    status: record.status,
    reason: record.reason,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}
