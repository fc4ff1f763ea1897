import type { RestingOrder } from '../types';

// Below this many consumed slots the dead prefix is cheaper to keep than to copy away.
const COMPACT_AFTER = 32;

/**
 * The FIFO queue of resting orders at one price, oldest first. Internal to
 * {@link OrderBook}.
 *
 * Fills consume the queue from the front, so it advances a head index instead
 * of shifting the array, and compacts once the dead prefix outweighs the rest.
 */
export class PriceLevel {
  private queue: RestingOrder[] = [];
  private head = 0;

  constructor(readonly price: bigint) {}

  /** Number of live orders at this price. */
  get size(): number {
    return this.queue.length - this.head;
  }

  /** The order at `offset` from the front (0 is the oldest), if any. */
  at(offset: number): RestingOrder | undefined {
    return this.queue[this.head + offset];
  }

  /** Appends the newest order: it has the lowest time priority at this price. */
  push(order: RestingOrder): void {
    this.queue.push(order);
  }

  /** Replaces the oldest order with an updated copy (after a partial fill). */
  replaceFront(order: RestingOrder): void {
    this.queue[this.head] = order;
  }

  /** Drops the oldest order (filled or cancelled by the engine). */
  popFront(): void {
    this.head++;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Removes the order with this id wherever it sits; false when absent. */
  remove(id: string): boolean {
    for (let i = this.head; i < this.queue.length; i++) {
      if ((this.queue[i] as RestingOrder).id === id) {
        this.queue.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** Live orders, oldest first. */
  orders(): RestingOrder[] {
    return this.queue.slice(this.head);
  }

  /** Sum of `leavesQty` over the live orders. */
  leavesQty(): number {
    let total = 0;
    for (let i = this.head; i < this.queue.length; i++) total += (this.queue[i] as RestingOrder).leavesQty;
    return total;
  }
}
