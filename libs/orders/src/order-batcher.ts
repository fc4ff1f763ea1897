import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { isDatabaseUnavailable } from '@execn/db';
import type { OrderResult, PlaceOutcome, PlaceRequest, Trader } from './order-result';
import type { PlaceOrderInput } from './place-order-input';
import { placeOrders } from './place-orders';

/** Options of `OrderBatcher`. */
export interface OrderBatcherOptions {
  /** Most orders one transaction takes; 1 turns batching off. @default 64 */
  maxBatch?: number;
  /** Most transactions this process runs at once: fewer means bigger batches, more means more overlap. @default 2 */
  maxConcurrent?: number;
  /** NOTIFY the outbox relay once per transaction. @default true */
  notify?: boolean;
  log?: Logger;
  /** Called after each committed transaction with its number of orders (for a batch-size metric). */
  onTransaction?: (orders: number) => void;
}

interface Job {
  request: PlaceRequest;
  resolve: (result: OrderResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Groups concurrent orders into few transactions. A symbol's matching is
 * serialised anyway (its advisory lock is held through commit), and a
 * transaction's fixed costs (round trips, statements, the commit's WAL flush)
 * dominate the per-order ones, so orders that wait here go together: when a
 * transaction slot frees up, it takes every waiting order (up to `maxBatch`,
 * oldest first) whose symbol is not already in one of this process's running
 * transactions, whatever its symbol. With no contention a transaction is a
 * single order, so latency at low load is unchanged.
 *
 * Per symbol, orders keep their arrival order: an order never overtakes an
 * earlier one of its symbol. Each order stays atomic with its reports and is
 * answered with its own outcome; an order refused before matching does not
 * affect its batch-mates, and when a whole transaction fails (an unexpected
 * database error), its orders are retried one by one so a poisonous order
 * fails alone; when the database is unreachable they all fail at once.
 */
export class OrderBatcher {
  private readonly waiting: Job[] = [];
  private readonly busy = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly maxBatch: number;
  private readonly maxConcurrent: number;

  constructor(
    private readonly sql: Sql,
    private readonly options: OrderBatcherOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 64);
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 2);
  }

  /** Places one order; resolves with its result or rejects with its error (e.g. DomainError conflict). */
  place(trader: Trader, input: PlaceOrderInput): Promise<OrderResult> {
    return new Promise<OrderResult>((resolve, reject) => {
      this.waiting.push({ request: { trader, input }, resolve, reject });
      this.pump();
    });
  }

  /** Resolves once every order accepted so far has been answered. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Starts transactions while a slot is free and some waiting order's symbol is not busy. */
  private pump(): void {
    while (this.running.size < this.maxConcurrent) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      const symbols = new Set(batch.map((j) => j.request.input.symbol));
      for (const s of symbols) this.busy.add(s);
      const run: Promise<void> = this.run(batch).finally(() => {
        for (const s of symbols) this.busy.delete(s);
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  /** Removes and returns the oldest waiting orders whose symbols are free, keeping each symbol's order. */
  private takeBatch(): Job[] {
    const batch: Job[] = [];
    const skipped = new Set<string>();
    let w = 0;
    for (const job of this.waiting) {
      const symbol = job.request.input.symbol;
      // Once an order of a symbol stays behind, later ones of that symbol must too.
      if (batch.length < this.maxBatch && !this.busy.has(symbol) && !skipped.has(symbol)) batch.push(job);
      else {
        skipped.add(symbol);
        this.waiting[w++] = job;
      }
    }
    this.waiting.length = w;
    return batch;
  }

  private async run(batch: Job[]): Promise<void> {
    const persist = { notify: this.options.notify ?? true };
    let outcomes: PlaceOutcome[];
    try {
      outcomes = await placeOrders(this.sql, batch.map((j) => j.request), persist);
      this.options.onTransaction?.(batch.length);
    } catch (err) {
      // Retrying one by one finds the poisonous order; it cannot help while the
      // database is away, and would hold the last order for a whole batch of attempts.
      if (batch.length === 1 || isDatabaseUnavailable(err)) {
        for (const job of batch) job.reject(err);
        return;
      }
      this.options.log?.warn({ err, orders: batch.length }, 'order batch failed, retrying its orders one by one');
      for (const job of batch) await this.run([job]);
      return;
    }
    outcomes.forEach((outcome, i) => {
      const job = batch[i]!;
      if (outcome.ok) job.resolve(outcome.result);
      else job.reject(outcome.error);
    });
  }
}
