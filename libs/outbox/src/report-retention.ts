import type { Sql } from 'postgres';
import type { Logger } from 'pino';
import { deleteExpiredReports } from './delete-expired-reports';

/** Dependencies and settings of `ReportRetention`. */
export interface ReportRetentionOptions {
  sql: Sql;
  log: Logger;
  /** How long a processed report is kept (REPORT_RETENTION_DAYS in ms); must be positive. */
  retentionMs: number;
  /** Rows deleted per transaction. @default 1000 */
  batchSize?: number;
  /** Time between passes once the backlog is gone. @default 60_000 */
  intervalMs?: number;
  /** Pause between two batches of one pass, so a backlog is worked off without crowding the hot path. @default 20 */
  pauseMs?: number;
  /** The clock (tests move it). @default Date.now */
  now?: () => number;
  /** Called after each batch with the rows it deleted (metrics, the retention benchmark). */
  onBatch?: (deleted: number) => void;
}

/** What one pass deleted. */
export interface RetentionPass {
  deleted: number;
  batches: number;
}

/**
 * Deletes processed execution reports older than the retention, in the
 * background: a pass deletes batches (`deleteExpiredReports`) until one comes
 * back short, then it sleeps `intervalMs`. Any number of pollers may run one;
 * a transaction-level advisory lock lets one batch run at a time, and a pass
 * that finds the lock taken simply ends. `start()`/`stop()` are guarded against
 * each other; `stop()` is safe to call twice and waits for the batch in flight.
 */
export class ReportRetention {
  private running = false;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly batchSize: number;
  private readonly now: () => number;

  constructor(private readonly o: ReportRetentionOptions) {
    if (!(o.retentionMs > 0)) throw new RangeError('retentionMs must be positive');
    this.batchSize = o.batchSize ?? 1_000;
    this.now = o.now ?? Date.now;
  }

  start(): void {
    if (this.running || this.stopping) return;
    this.running = true;
    this.loop = this.runLoop();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.running = false;
      this.wakeUp?.();
      await this.loop;
    })();
    return this.stopping;
  }

  /** One pass: batches until one comes back short (or the lock is another's, or `stop()`). */
  async runOnce(): Promise<RetentionPass> {
    const startedAt = Date.now();
    const pass = { deleted: 0, batches: 0 };
    for (;;) {
      const cutoff = new Date(this.now() - this.o.retentionMs);
      const batch = await deleteExpiredReports(this.o.sql, { cutoff, limit: this.batchSize });
      if (!batch.ran) break;
      pass.batches++;
      pass.deleted += batch.deleted;
      this.o.onBatch?.(batch.deleted);
      if (batch.deleted < this.batchSize || (this.loop && !this.running)) break;
      await this.sleep(this.o.pauseMs ?? 20);
    }
    if (pass.deleted > 0) this.o.log.info({ ...pass, ms: Date.now() - startedAt }, 'retention deleted expired execution reports');
    return pass;
  }

  private async runLoop(): Promise<void> {
    while (this.running) {
      try {
        await this.runOnce();
      } catch (err) {
        // PostgreSQL away, or a lock the batch would have waited for: the next pass tries again.
        this.o.log.warn({ err }, 'retention pass failed');
      }
      await this.sleep(this.o.intervalMs ?? 60_000);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running && this.loop) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).finally(() => (this.wakeUp = undefined));
  }
}
