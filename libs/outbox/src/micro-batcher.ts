/** Options for `MicroBatcher`. */
export interface MicroBatcherOptions {
  /** Flush as soon as this many items wait. @default 200 */
  maxBatchSize?: number;
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
  private readonly maxBatchSize: number;

  constructor(
    private readonly runBatch: (items: I[]) => Promise<O[]>,
    options: MicroBatcherOptions = {},
  ) {
    this.maxBatchSize = options.maxBatchSize ?? 200;
  }

  load(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.maxBatchSize) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate runs after the I/O callbacks of this loop turn, which is
        // where the other jobs' calls come from; it adds no timer latency.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    this.runBatch(batch.map((w) => w.item)).then(
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
    );
  }
}
