/**
 * A deliberately naive order book used as the oracle in property tests.
 *
 * It shares no code with the engine: it keeps one unsorted list of live
 * orders and, for every unit of work, scans the whole list for the best
 * eligible contra order. Slow and obviously right is the point.
 */
import type { IncomingOrder, InstrumentRules, Side } from '../types';

interface LiveOrder {
  id: string;
  accountId: string;
  side: Side;
  price: bigint;
  leavesQty: number;
  arrival: number;
}

/** What the oracle expects one submit to produce. */
export interface ReferenceOutcome {
  rejected: string | null;
  /** `trade <restingId> <qty>@<priceUnits>` or `cancel <orderId> <reason>`, in order. */
  events: string[];
  rests: boolean;
}

export class ReferenceBook {
  private live: LiveOrder[] = [];
  private arrivals = 0;

  constructor(private readonly instrument: InstrumentRules) {}

  submit(order: IncomingOrder): ReferenceOutcome {
    const rejected = this.rejectReason(order);
    if (rejected !== null) return { rejected, events: [], rests: false };
    const events: string[] = [];
    let remaining = order.quantity;
    while (remaining > 0) {
      const best = this.bestContraFor(order);
      if (best === undefined) break;
      if (best.accountId === order.accountId) {
        events.push(`cancel ${best.id} self_trade_prevented`);
        this.remove(best.id);
        continue;
      }
      const quantity = Math.min(remaining, best.leavesQty);
      events.push(`trade ${best.id} ${quantity}@${best.price}`);
      remaining -= quantity;
      best.leavesQty -= quantity;
      if (best.leavesQty === 0) this.remove(best.id);
    }
    if (remaining === 0) return { rejected: null, events, rests: false };
    if (order.type === 'limit' && order.timeInForce === 'GTC' && order.price !== null) {
      this.arrivals++;
      const { id, accountId, side, price } = order;
      this.live.push({ id, accountId, side, price, leavesQty: remaining, arrival: this.arrivals });
      return { rejected: null, events, rests: true };
    }
    events.push(`cancel ${order.id} unfilled_remainder`);
    return { rejected: null, events, rests: false };
  }

  /** Removes a live order; false when there is none with this id. */
  cancel(id: string): boolean {
    return this.remove(id);
  }

  /** Live orders of one side as `[id, leavesQty]`, best price first, then oldest. */
  orders(side: Side): Array<[string, number]> {
    return this.live
      .filter((o) => o.side === side)
      .sort((a, b) => (a.price === b.price ? a.arrival - b.arrival : (side === 'buy') === (a.price > b.price) ? -1 : 1))
      .map((o) => [o.id, o.leavesQty]);
  }

  private rejectReason(order: IncomingOrder): string | null {
    if (this.instrument.halted) return 'instrument_halted';
    if (order.price !== null && order.price % this.instrument.tickSize !== 0n) return 'invalid_tick';
    if (order.quantity % this.instrument.lotSize !== 0) return 'invalid_lot';
    return null;
  }

  private bestContraFor(order: IncomingOrder): LiveOrder | undefined {
    let best: LiveOrder | undefined;
    for (const o of this.live) {
      if (o.side === order.side) continue;
      if (order.price !== null && (order.side === 'buy' ? o.price > order.price : o.price < order.price)) continue;
      if (best === undefined) {
        best = o;
        continue;
      }
      const betterPrice = order.side === 'buy' ? o.price < best.price : o.price > best.price;
      if (o.price === best.price ? o.arrival < best.arrival : betterPrice) best = o;
    }
    return best;
  }

  private remove(id: string): boolean {
    const index = this.live.findIndex((o) => o.id === id);
    if (index < 0) return false;
    this.live.splice(index, 1);
    return true;
  }
}
