import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { OrderResult, PlaceOutcome, Trader } from './order-result';
import type { PlaceOrderInput } from './place-order-input';
import { placeOrders, type PlaceRequest } from './place-orders';

/** Options of `OrderBatcher`. */
export interface OrderBatcherOptions {
  /** Most orders one transaction takes; 1 turns batching off. @default 64 */
  maxBatch?: number;
  /** NOTIFY the outbox relay once per transaction. @default true */
  notify?: boolean;
  log?: Logger;
}

interface Job {
  request: PlaceRequest;
  resolve: (result: OrderResult) => void;
  reject: (err: unknown) => void;
}

interface SymbolQueue {
  waiting: Job[];
  running: Promise<void> | null;
}

/**
 * Groups concurrent orders of one symbol into one transaction. A symbol's
 * matching is serialised anyway (its advisory lock is held through commit),
 * so while one transaction runs, the orders that arrive for the symbol wait
 * here and then go together in the next: one lock, one book read, one fsync
 * for the lot. With no contention a batch is a single order, so latency at
 * low load is unchanged. Different symbols run in parallel.
 *
 * Each order stays atomic with its reports and is answered with its own
 * outcome; an order refused before matching does not affect its batch-mates,
 * and when a whole batch fails (an unexpected database error), its orders are
 * retried one by one so a poisonous order fails alone.
 */
export class OrderBatcher {
  private readonly queues = new Map<string, SymbolQueue>();
  private readonly maxBatch: number;

  constructor(
    private readonly sql: Sql,
    private readonly options: OrderBatcherOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 64);
  }

  /** Places one order; resolves with its result or rejects with its error (e.g. ApiError 409). */
  place(trader: Trader, input: PlaceOrderInput): Promise<OrderResult> {
    return new Promise<OrderResult>((resolve, reject) => {
      let queue = this.queues.get(input.symbol);
      if (queue === undefined) {
        queue = { waiting: [], running: null };
        this.queues.set(input.symbol, queue);
      }
      queue.waiting.push({ request: { trader, input }, resolve, reject });
      if (queue.running === null) queue.running = this.drain(input.symbol, queue);
    });
  }

  /** Resolves once every order accepted so far has been answered. */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.running));
  }

  private async drain(symbol: string, queue: SymbolQueue): Promise<void> {
    while (queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0, this.maxBatch);
      await this.run(symbol, batch);
    }
    queue.running = null;
    this.queues.delete(symbol);
  }

  private async run(symbol: string, batch: Job[]): Promise<void> {
    const persist = { notify: this.options.notify ?? true };
    let outcomes: PlaceOutcome[];
    try {
      outcomes = await placeOrders(this.sql, symbol, batch.map((j) => j.request), persist);
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      this.options.log?.warn({ err, symbol, orders: batch.length }, 'order batch failed, retrying its orders one by one');
      for (const job of batch) await this.run(symbol, [job]);
      return;
    }
    outcomes.forEach((outcome, i) => {
      const job = batch[i]!;
      if (outcome.ok) job.resolve(outcome.result);
      else job.reject(outcome.error);
    });
  }
}
