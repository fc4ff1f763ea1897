import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { DomainError } from '@execn/contracts';
import { isDatabaseUnavailable } from '@execn/db';
import type { OrderResult, PlaceOutcome, PlaceRequest, Trader } from './order-result';
import type { PlaceOrderInput } from './place-order-input';
import { placeOrders } from './place-orders';
import type { OutboxHandOff } from './persist-changes';

/** Options of `OrderBatcher`. */
export interface OrderBatcherOptions {
  /** Most orders one transaction takes; 1 turns batching off. @default 64 */
  maxBatch?: number;
  /** Most transactions this process runs at once: fewer means bigger batches, more means more overlap. @default 2 */
  maxConcurrent?: number;
  /** NOTIFY the outbox relay once per transaction. @default true */
  notify?: boolean;
  /** Hand each transaction's outbox rows to the queue after its commit (`PersistOptions.handOff`); absent: the relay moves them. */
  handOff?: OutboxHandOff;
  /**
   * Most orders waiting for a transaction (not yet taken into one); one more is
   * refused at once with `DomainError` `overloaded`, before anything is written.
   * @default 10000
   */
  maxQueued?: number;
  /**
   * How long an order may wait for a transaction: past it, it is never executed
   * and its caller gets `DomainError` `overloaded`. An order already taken into a
   * transaction is not affected (its outcome is its answer). @default 10000
   */
  queueDeadlineMs?: number;
  log?: Logger;
  /** Called when an order is refused (`full`) or dropped from the queue (`deadline`, `aborted`), e.g. for a metric. */
  onRefused?: (reason: 'full' | 'deadline' | 'aborted') => void;
  /** Called after each committed transaction with its number of orders (for a batch-size metric). */
  onTransaction?: (orders: number) => void;
}

/**
 * `queued` until a transaction takes it (`taken`) or it leaves the queue
 * unexecuted (`dropped`: deadline or caller gone). The two exits are decided
 * synchronously on this one thread and each checks the state first, so an
 * order told it was not executed can never be taken afterwards, and an order
 * taken is answered with its outcome, never with a refusal.
 */
type JobState = 'queued' | 'taken' | 'dropped';

interface Job {
  request: PlaceRequest;
  resolve: (result: OrderResult) => void;
  reject: (err: unknown) => void;
  state: JobState;
  timer: NodeJS.Timeout | undefined;
  /** Detaches the caller's abort listener. */
  detach: () => void;
}

/** Options of one `OrderBatcher.place` call. */
export interface PlaceCallOptions {
  /** Aborted when the caller has given up (its connection closed): a still-queued order is dropped, unexecuted. */
  signal?: AbortSignal;
}

/** The refusal of an order that was not executed because the intake was full or its wait too long. */
export function overloaded(message: string): DomainError {
  return new DomainError('overloaded', 'overloaded', message);
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
 *
 * Intake is bounded (issue 11): at most `maxQueued` orders wait, each at most
 * `queueDeadlineMs`; an order over either bound is refused `overloaded` and
 * never executed. A caller that gives up (its `signal` aborts) takes its order
 * out of the queue the same way, so work nobody waits for is not done.
 */
export class OrderBatcher {
  /** Queued jobs in arrival order; dropped ones are skipped and swept lazily (see `drop`). */
  private waiting: Job[] = [];
  private queued = 0;
  private readonly busy = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly maxBatch: number;
  private readonly maxConcurrent: number;
  private readonly maxQueued: number;
  private readonly queueDeadlineMs: number;

  constructor(
    private readonly sql: Sql,
    private readonly options: OrderBatcherOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 64);
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 2);
    this.maxQueued = Math.max(1, options.maxQueued ?? 10_000);
    this.queueDeadlineMs = Math.max(1, options.queueDeadlineMs ?? 10_000);
  }

  /** Orders waiting for a transaction now. */
  get queuedOrders(): number {
    return this.queued;
  }

  /**
   * Places one order; resolves with its result or rejects with its error
   * (e.g. DomainError conflict; `overloaded` when it was not executed).
   */
  place(trader: Trader, input: PlaceOrderInput, call: PlaceCallOptions = {}): Promise<OrderResult> {
    return new Promise<OrderResult>((resolve, reject) => {
      if (call.signal?.aborted) {
        this.options.onRefused?.('aborted');
        return reject(overloaded('The request was abandoned before it was queued'));
      }
      if (this.queued >= this.maxQueued) {
        this.options.onRefused?.('full');
        return reject(overloaded(`Over ${this.maxQueued} orders are waiting in this api process; retry later`));
      }
      const job: Job = { request: { trader, input }, resolve, reject, state: 'queued', timer: undefined, detach: () => undefined };
      this.waiting.push(job);
      this.queued++;
      this.pump();
      if (job.state !== 'queued') return;
      job.timer = setTimeout(
        () => this.drop(job, 'deadline', `The order was not executed: it waited ${this.queueDeadlineMs} ms for its turn; retry later`),
        this.queueDeadlineMs,
      );
      if (call.signal) {
        const onAbort = () => this.drop(job, 'aborted', 'The request was abandoned; the order was not executed');
        call.signal.addEventListener('abort', onAbort, { once: true });
        job.detach = () => call.signal!.removeEventListener('abort', onAbort);
      }
    });
  }

  /** Takes a still-queued job out of the queue unexecuted and refuses it; a job already taken is left alone. */
  private drop(job: Job, reason: 'deadline' | 'aborted', message: string): void {
    if (job.state !== 'queued') return;
    job.state = 'dropped';
    this.settle(job);
    this.options.onRefused?.(reason);
    job.reject(overloaded(message));
    // The array keeps dropped jobs until the next `takeBatch` scan; sweep here when they outnumber the queued
    // ones, so a stalled database with requests expiring at the door cannot grow it without bound.
    if (this.waiting.length > 2 * this.queued + 64) this.waiting = this.waiting.filter((j) => j.state === 'queued');
  }

  /** The job left the queue (taken or dropped): its timer and abort listener go, and it no longer counts. */
  private settle(job: Job): void {
    clearTimeout(job.timer);
    job.detach();
    this.queued--;
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
      if (job.state !== 'queued') continue;
      const symbol = job.request.input.symbol;
      // Once an order of a symbol stays behind, later ones of that symbol must too.
      if (batch.length < this.maxBatch && !this.busy.has(symbol) && !skipped.has(symbol)) {
        job.state = 'taken';
        this.settle(job);
        batch.push(job);
      } else {
        skipped.add(symbol);
        this.waiting[w++] = job;
      }
    }
    this.waiting.length = w;
    return batch;
  }

  private async run(batch: Job[]): Promise<void> {
    const persist = { notify: this.options.notify ?? true, handOff: this.options.handOff };
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
