import { randomUUID } from 'node:crypto';
import { matchOrder, newOrderState, type InstrumentRules, type MatchResult } from '@execn/matching';
import type { OrderView } from '@execn/contracts';
import type { SqlOrTx } from '@execn/db';
import { applyState, toOrderView, type OrderRecord } from './order-record';
import type { PendingReport } from './pending-report';
import type { StoredBook } from './stored-book';

/** Changes of no order: the start of `mergeChanges`. */
export function emptyChanges(): BatchChanges {
  return { inserted: [], updated: [], trades: [], reports: [], failures: new Map(), views: new Map() };
}

/** Appends `more` (another symbol's changes, matched later) to `into`. */
export function mergeChanges(into: BatchChanges, more: BatchChanges): void {
  into.inserted.push(...more.inserted);
  into.updated.push(...more.updated);
  into.trades.push(...more.trades);
  into.reports.push(...more.reports);
  for (const [k, v] of more.failures) into.failures.set(k, v);
  for (const [k, v] of more.views) into.views.set(k, v);
}

/** A trade row to insert. */
export interface TradeRecord {
  id: string;
  symbol: string;
  price: bigint;
  quantity: number;
  buyOrderId: string;
  sellOrderId: string;
  aggressorSide: 'buy' | 'sell';
}

/** Everything one transaction must write after matching its orders. */
export interface BatchChanges {
  /** The transaction's new orders, in their final state, to insert. */
  inserted: OrderRecord[];
  /** Orders already stored that matching changed, to update. */
  updated: OrderRecord[];
  trades: TradeRecord[];
  /** Reports in the order the events happened: the order their seqs are taken in. */
  reports: PendingReport[];
  /** New orders the engine refused to process (a bug the edge should have caught), by id. */
  failures: Map<string, unknown>;
  /** Each new order as its own request leaves it: what that request answers, whatever batch-mates do next. */
  views: Map<string, OrderView>;
}

/**
 * Matches a transaction's new orders of one symbol one after the other, in
 * arrival order, against the book read lazily from PostgreSQL and the orders
 * rested by earlier ones. Nothing is written here: the caller writes the
 * returned changes with a few multi-row statements. The caller holds the
 * symbol lock, so the stored book cannot change meanwhile.
 */
export async function matchBatch(
  sql: SqlOrTx,
  book: StoredBook,
  instrument: InstrumentRules | null,
  incoming: OrderRecord[],
  at: Date,
): Promise<BatchChanges> {
  const { registry, sides } = book;
  const fresh = new Set(incoming.map((o) => o.id));
  const changes = emptyChanges();
  const updated = new Set<OrderRecord>();
  const tradable = instrument !== null && !instrument.halted;

  for (const order of incoming) {
    const contra = sides[order.side === 'buy' ? 'sell' : 'buy'];
    const candidates = tradable ? await contra.candidatesFor(sql, order) : [];
    let result: MatchResult;
    try {
      result = matchOrder(
        {
          id: order.id,
          accountId: order.accountId,
          side: order.side,
          type: order.type,
          timeInForce: order.timeInForce,
          price: order.price,
          quantity: order.quantity,
        },
        instrument,
        candidates,
      );
    } catch (err) {
      // The engine is pure: a refusal leaves nothing half-applied, so the
      // order's batch-mates go on without it.
      changes.failures.set(order.id, err);
      continue;
    }
    const report = (o: OrderRecord, p: Omit<PendingReport, 'order' | 'originId' | 'transactTime'>) =>
      changes.reports.push({ order: o, originId: order.id, transactTime: at, ...p });
    const none = { lastQty: null, lastPx: null, tradeId: null, reason: null };

    if (result.rejected !== null) {
      applyState(order, result.incoming, at);
      order.reason = result.rejected;
      report(order, { ...none, execType: 'rejected', state: result.incoming, reason: result.rejected });
      changes.inserted.push(order);
      changes.views.set(order.id, toOrderView(order));
      continue;
    }

    report(order, { ...none, execType: 'new', state: newOrderState(order.quantity) });
    for (const event of result.events) {
      if (event.kind === 'trade') {
        const resting = registry.get(event.restingOrderId)!;
        const tradeId = randomUUID();
        changes.trades.push({
          id: tradeId,
          symbol: order.symbol,
          price: event.price,
          quantity: event.quantity,
          buyOrderId: order.side === 'buy' ? order.id : resting.id,
          sellOrderId: order.side === 'sell' ? order.id : resting.id,
          aggressorSide: order.side,
        });
        const fill = { execType: 'trade' as const, lastQty: event.quantity, lastPx: event.price, tradeId, reason: null };
        report(order, { ...fill, state: event.incomingState });
        report(resting, { ...fill, state: event.restingState });
      } else {
        const target = event.orderId === order.id ? order : registry.get(event.orderId)!;
        target.reason = event.reason;
        report(target, { ...none, execType: 'cancelled', state: event.state, reason: event.reason });
      }
    }
    for (const change of result.updatedResting) {
      const resting = registry.get(change.id)!;
      applyState(resting, change.state, at);
      if (!fresh.has(resting.id)) updated.add(resting);
    }
    if (result.updatedResting.length > 0) contra.removeFinal();
    applyState(order, result.incoming, at);
    if (result.rests) {
      registry.set(order.id, order);
      sides[order.side].insert(order);
    }
    changes.inserted.push(order);
    changes.views.set(order.id, toOrderView(order));
  }
  changes.updated = [...updated];
  return changes;
}
