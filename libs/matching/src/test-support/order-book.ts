import { BookSide } from './book-side';
import { decideCancel } from '../decide-cancel';
import type { MatchResult } from '../match-result';
import { matchOrder } from '../match-order';
import { MatchingError } from '../matching-error';
import { restingOrderState, type OrderState } from '../order-state';
import type { IncomingOrder, InstrumentRules, RestingOrder, Side } from '../types';

/** Aggregated quantity at one price. */
export interface DepthLevel {
  readonly price: bigint;
  /** Sum of `leavesQty` of the orders at this price. */
  readonly quantity: number;
  readonly orders: number;
}

/** Both sides of the book by price level, best first. */
export interface BookDepth {
  readonly bids: DepthLevel[];
  readonly asks: DepthLevel[];
}

/**
 * An in-memory book for one symbol, driven by {@link matchOrder}.
 *
 * Test support: production keeps the book in PostgreSQL (`StoredBook` of
 * `@execn/orders`); this class drives the engine through random order streams
 * in the property tests, against `ReferenceBook`, and doubles as a reference
 * for how a caller feeds the engine: candidates are a best-first prefix of the contra side holding
 * enough quantity from other accounts, and each result is applied in full.
 */
export class OrderBook {
  private readonly bids = new BookSide('buy');
  private readonly asks = new BookSide('sell');
  private readonly byId = new Map<string, RestingOrder>();
  // Mirrors the database identity column: strictly increasing, never reused.
  private nextPriority = 1n;

  /** @param instrument the rules every submitted order is checked against. */
  constructor(readonly instrument: InstrumentRules) {}

  /**
   * Matches `incoming` against the book and applies the result: filled and
   * STP-cancelled orders leave, a partially filled one keeps its place with
   * new quantities, and a GTC limit remainder joins the book behind every
   * order at its price.
   *
   * @throws MatchingError when an order with this id is already resting.
   */
  submit(incoming: IncomingOrder): MatchResult {
    if (this.byId.has(incoming.id)) throw new MatchingError(`order ${incoming.id} is already on the book`);
    const contra = incoming.side === 'buy' ? this.asks : this.bids;
    const result = matchOrder(incoming, this.instrument, contra.candidatesFor(incoming));
    for (const update of result.updatedResting) {
      const still = contra.settleBest(update);
      if (still === null) this.byId.delete(update.id);
      else this.byId.set(still.id, still);
    }
    if (result.rests) this.rest(incoming, result.incoming);
    return result;
  }

  /**
   * Cancels a resting order at the user's request.
   *
   * @returns its final state, or `null` when no live order has this id.
   */
  cancel(id: string): OrderState | null {
    const resting = this.byId.get(id);
    if (resting === undefined) return null;
    const outcome = decideCancel(restingOrderState(resting));
    if (!outcome.ok) return null; // unreachable: only live orders are kept
    this.sideOf(resting.side).remove(resting);
    this.byId.delete(id);
    return outcome.state;
  }

  /** Highest bid price, or `null` when there are no bids. */
  bestBid(): bigint | null {
    return this.bids.bestPrice();
  }

  /** Lowest ask price, or `null` when there are no asks. */
  bestAsk(): bigint | null {
    return this.asks.bestPrice();
  }

  /** The live order with this id, if it rests on the book. */
  get(id: string): RestingOrder | undefined {
    return this.byId.get(id);
  }

  /** Resting orders of one side, best price first, then oldest (a copy). */
  orders(side: Side): RestingOrder[] {
    return this.sideOf(side).orders();
  }

  /** Number of resting orders on both sides. */
  get size(): number {
    return this.byId.size;
  }

  /** Quantity by price level on both sides, best first. */
  depth(): BookDepth {
    return { bids: this.bids.depth(), asks: this.asks.depth() };
  }

  private sideOf(side: Side): BookSide {
    return side === 'buy' ? this.bids : this.asks;
  }

  private rest(incoming: IncomingOrder, state: OrderState): void {
    if (incoming.price === null) throw new MatchingError(`market order ${incoming.id} cannot rest`);
    const order: RestingOrder = {
      id: incoming.id,
      accountId: incoming.accountId,
      side: incoming.side,
      price: incoming.price,
      quantity: state.quantity,
      cumQty: state.cumQty,
      leavesQty: state.leavesQty,
      cumNotional: state.cumNotional,
      priority: this.nextPriority++,
    };
    this.sideOf(incoming.side).insert(order);
    this.byId.set(order.id, order);
  }
}
