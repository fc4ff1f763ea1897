/** Options for `MicroBatcher`. */
export interface MicroBatcherOptions {
  /** Flush as soon as this many items wait. @default 200 */
  maxBatchSize?: number;
  /**
   * Batches running at once. When that many are in flight, new items wait
   * for one to finish and then go together: under load batches grow by
   * themselves (group commit), when idle an item goes at once. @default 2
   */
  maxInFlight?: number;
  /**
   * How long an item may wait for others while items keep coming (the previous batch went less than twice this
   * ago). Steady traffic then shares one batch per `lingerMs` instead of one per arrival, and an item that comes
   * after a quiet spell still goes at once: an idle pipe never waits on the timer. For batches whose latency
   * nobody sees (marking a broadcast report processed). @default 0
   */
  lingerMs?: number;
}

interface Waiter<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Coalesces concurrent single-item calls into one batched call: every `load`
 * made in the same turn of the event loop (a worker running 50 jobs at once
 * makes many) shares one database round trip. The batch function returns one
 * result per input, in input order. When it throws, every caller of that batch
 * gets the error (each job then retries on its own).
 */
export class MicroBatcher<I, O> {
  private queue: Array<Waiter<I, O>> = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly maxBatchSize: number;
  private readonly maxInFlight: number;
  private readonly lingerMs: number;
  private lastFlushAt = -Infinity;

  constructor(
    private readonly runBatch: (items: I[]) => Promise<O[]>,
    options: MicroBatcherOptions = {},
  ) {
    this.maxBatchSize = options.maxBatchSize ?? 200;
    this.maxInFlight = options.maxInFlight ?? 2;
    this.lingerMs = options.lingerMs ?? 0;
  }

  load(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.maxBatchSize && this.inFlight < this.maxInFlight) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        if (this.lingerMs > 0 && performance.now() - this.lastFlushAt < 2 * this.lingerMs) setTimeout(() => this.flush(), this.lingerMs);
        // setImmediate runs after the I/O callbacks of this loop turn, which is
        // where the other jobs' calls come from; it adds no timer latency.
        else setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0 || this.inFlight >= this.maxInFlight) return;
    const batch = this.queue.splice(0, this.maxBatchSize);
    this.inFlight++;
    this.lastFlushAt = performance.now();
    this.runBatch(batch.map((w) => w.item))
      .then(
        (results) => {
          if (results.length !== batch.length) {
            const err = new Error(`batch returned ${results.length} results for ${batch.length} items`);
            for (const w of batch) w.reject(err);
            return;
          }
          batch.forEach((w, i) => w.resolve(results[i]!));
        },
        (err: unknown) => {
          for (const w of batch) w.reject(err);
        },
      )
      .finally(() => {
        this.inFlight--;
        // What queued up meanwhile goes now, as one batch (or when its scheduled flush comes, lingering).
        if (this.queue.length > 0 && !this.scheduled) this.flush();
      });
  }
}
