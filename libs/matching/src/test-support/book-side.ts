import type { RestingUpdate } from '../match-result';
import { MatchingError } from '../matching-error';
import { isFinal } from '../order-state';
import { PriceLevel } from './price-level';
import type { IncomingOrder, RestingOrder, Side } from '../types';

/**
 * One side of an in-memory book: price levels best first (bids highest,
 * asks lowest), each a FIFO queue. Internal to {@link OrderBook}.
 */
export class BookSide {
  private readonly levels: PriceLevel[] = [];

  constructor(readonly side: Side) {}

  /** Best price on this side, or `null` when it is empty. */
  bestPrice(): bigint | null {
    return this.levels[0]?.price ?? null;
  }

  /** Adds an order behind every order at an equal or better price. */
  insert(order: RestingOrder): void {
    const index = this.levelIndex(order.price);
    const existing = this.levels[index];
    if (existing !== undefined && existing.price === order.price) {
      existing.push(order);
      return;
    }
    const level = new PriceLevel(order.price);
    level.push(order);
    this.levels.splice(index, 0, level);
  }

  /** Removes a resting order; false when it is not on this side. */
  remove(order: RestingOrder): boolean {
    const index = this.levelIndex(order.price);
    const level = this.levels[index];
    if (level === undefined || level.price !== order.price || !level.remove(order.id)) return false;
    if (level.size === 0) this.levels.splice(index, 1);
    return true;
  }

  /**
   * The best-first orders `incoming` can reach, stopping once other accounts'
   * quantity covers it. Own orders on the way are included: the engine must
   * cancel them (self-trade prevention) and they cover nothing.
   */
  candidatesFor(incoming: IncomingOrder): RestingOrder[] {
    const limit = incoming.price;
    const candidates: RestingOrder[] = [];
    let covered = 0;
    for (const level of this.levels) {
      if (covered >= incoming.quantity || (limit !== null && this.isBetter(limit, level.price))) break;
      for (let i = 0; i < level.size && covered < incoming.quantity; i++) {
        const order = level.at(i) as RestingOrder; // i < size
        candidates.push(order);
        if (order.accountId !== incoming.accountId) covered += order.leavesQty;
      }
    }
    return candidates;
  }

  /**
   * Applies the engine's verdict on the current best order, which must be the
   * one the update names: the engine walks candidates best first, so its
   * updates arrive in exactly this order.
   *
   * @returns the updated order while it still rests, or `null` once it left.
   */
  settleBest(update: RestingUpdate): RestingOrder | null {
    const level = this.levels[0];
    const best = level?.at(0);
    if (level === undefined || best === undefined || best.id !== update.id) {
      throw new MatchingError(`order book out of step: expected ${best?.id ?? 'nothing'}, engine touched ${update.id}`);
    }
    if (isFinal(update.state.status)) {
      level.popFront();
      if (level.size === 0) this.levels.shift();
      return null;
    }
    const { quantity, cumQty, leavesQty, cumNotional } = update.state;
    const updated: RestingOrder = { ...best, quantity, cumQty, leavesQty, cumNotional };
    level.replaceFront(updated);
    return updated;
  }

  /** All resting orders, best first (a copy). */
  orders(): RestingOrder[] {
    const all: RestingOrder[] = [];
    for (const level of this.levels) all.push(...level.orders());
    return all;
  }

  /** Price levels best first with their total `leavesQty` and order count. */
  depth(): Array<{ price: bigint; quantity: number; orders: number }> {
    return this.levels.map((level) => ({ price: level.price, quantity: level.leavesQty(), orders: level.size }));
  }

  private isBetter(a: bigint, b: bigint): boolean {
    return this.side === 'buy' ? a > b : a < b;
  }

  /** Index of the first level whose price is not better than `price` (binary search). */
  private levelIndex(price: bigint): number {
    let lo = 0;
    let hi = this.levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.isBetter((this.levels[mid] as PriceLevel).price, price)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
