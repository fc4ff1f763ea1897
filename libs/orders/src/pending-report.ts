import type { ExecType, ReportReason, StoredExecutionReport } from '@execn/contracts';
import { formatDecimal, type OrderState } from '@execn/matching';
import { avgPxString, type OrderRecord } from './order-record';

/**
 * A report decided by matching but not yet numbered: its account's `seq` is
 * only known once the account rows are locked, right before the writes.
 */
export interface PendingReport {
  /** The order it is about; only its static fields are read. */
  order: OrderRecord;
  /**
   * The order whose request caused it. A request answers with the reports of
   * its own order that it caused: not the fills later batch-mates bring it.
   */
  originId: string;
  execType: ExecType;
  /** The order's state right after the event (immutable engine state). */
  state: OrderState;
  lastQty: number | null;
  lastPx: bigint | null;
  tradeId: string | null;
  reason: ReportReason | null;
  transactTime: Date;
}

/** The stored report's fields that matching decides: all but `seq` and `execId`, which the write numbers. */
export type ReportBody = Omit<StoredExecutionReport, 'seq' | 'execId'>;

/**
 * The stored report (CONTRACT section 4) without `eventId`, `seq` and
 * `execId`: those three are given in the one statement that writes it
 * (`persistChanges`), once the account's seq is known.
 */
export function toReportBody(p: PendingReport): ReportBody {
  const o = p.order;
  return {
    execType: p.execType,
    status: p.state.status,
    orderId: o.id,
    clientOrderId: o.clientOrderId,
    accountId: o.accountId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    timeInForce: o.timeInForce,
    price: o.price === null ? null : formatDecimal(o.price),
    quantity: p.state.quantity,
    lastQty: p.lastQty,
    lastPx: p.lastPx === null ? null : formatDecimal(p.lastPx),
    tradeId: p.tradeId,
    cumQty: p.state.cumQty,
    leavesQty: p.state.leavesQty,
    avgPx: avgPxString(p.state),
    reason: p.reason,
    transactTime: p.transactTime.toISOString(),
  };
}
