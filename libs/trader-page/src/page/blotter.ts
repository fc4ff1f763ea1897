import { FINAL_ORDER_STATUSES, type ExecutionReport, type OrderStatus } from '@execn/contracts';

/** One line of the blotter: an order as its latest report describes it. */
export interface BlotterRow
  extends Pick<
    ExecutionReport,
    | 'orderId'
    | 'clientOrderId'
    | 'symbol'
    | 'side'
    | 'type'
    | 'timeInForce'
    | 'price'
    | 'quantity'
    | 'status'
    | 'cumQty'
    | 'leavesQty'
    | 'avgPx'
  > {
  reason: string | null;
  /** The seq of the report this row reflects; older reports never overwrite it. */
  seq: number;
  /** The seq of the first report seen for the order: rows keep their place as they update. */
  firstSeq: number;
  updatedAt: string;
}

const FINAL: ReadonlySet<OrderStatus> = new Set(FINAL_ORDER_STATUSES);

/** True for filled, cancelled and rejected orders (no cancel button). */
export const isFinal = (status: OrderStatus): boolean => FINAL.has(status);

/**
 * The blotter's state: orders keyed by id, each updated from execution
 * reports. A report older than the one a row reflects is ignored, so the HTTP
 * response of a request and the live feed can arrive in any order. Pure.
 */
export class Blotter {
  private readonly rows = new Map<string, BlotterRow>();

  /** Applies a report; returns the row when it changed, else undefined. */
  apply(report: ExecutionReport): BlotterRow | undefined {
    const current = this.rows.get(report.orderId);
    if (current && current.seq >= report.seq) return undefined;
    const row: BlotterRow = {
      orderId: report.orderId,
      clientOrderId: report.clientOrderId,
      symbol: report.symbol,
      side: report.side,
      type: report.type,
      timeInForce: report.timeInForce,
      price: report.price,
      quantity: report.quantity,
      status: report.status,
      cumQty: report.cumQty,
      leavesQty: report.leavesQty,
      avgPx: report.avgPx,
      reason: report.reason,
      seq: report.seq,
      firstSeq: Math.min(current?.firstSeq ?? report.seq, report.seq),
      updatedAt: report.transactTime,
    };
    this.rows.set(row.orderId, row);
    return row;
  }

  get(orderId: string): BlotterRow | undefined {
    return this.rows.get(orderId);
  }

  /** Rows, the newest order first; an order keeps its place as it updates. */
  list(): BlotterRow[] {
    return [...this.rows.values()].sort((a, b) => b.firstSeq - a.firstSeq);
  }

  clear(): void {
    this.rows.clear();
  }
}
