import type { JobsOptions, Queue } from 'bullmq';
import type { Sql } from 'postgres';
import type { Logger } from 'pino';
import type { Metrics, ProgressMonitor } from '@execn/observability';
import { addOutboxJobs } from './add-jobs';
import { claimPendingEvents } from './claim-pending-events';
import type { OutboxReconciler } from './outbox-reconciler';
import { getPendingStats } from './outbox-stats';
import { releaseClaimedEvents } from './release-claimed-events';

/** Dependencies and settings of `OutboxRelay`. */
export interface OutboxRelayOptions {
  sql: Sql;
  queue: Queue;
  jobOptions: JobsOptions;
  reconciler: OutboxReconciler;
  log: Logger;
  metrics: Metrics;
  progress?: ProgressMonitor;
  batchSize: number;
  /** Fallback poll when no NOTIFY arrives (POLL_INTERVAL_MS). */
  pollIntervalMs: number;
  /** Time between reconciliation passes. */
  reconcileIntervalMs: number;
  /** The NOTIFY channel to LISTEN on, or undefined to rely on polling alone. */
  notifyChannel?: string;
}

/**
 * The outbox relay: claim pending rows in batches (marking them enqueued),
 * `addBulk` their jobs, repeat at once while batches come back full, else
 * sleep until a NOTIFY or the poll interval. Reconciliation and the gauges run
 * on their own timers. `start()` and `stop()` are guarded against each other;
 * `stop()` is safe to call twice and waits for the batch in progress.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private unlisten: (() => Promise<void>) | undefined;
  private timers: NodeJS.Timeout[] = [];
  private reconciling: Promise<unknown> | undefined;

  constructor(private readonly o: OutboxRelayOptions) {}

  async start(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = true;
    if (this.o.notifyChannel) {
      const meta = await this.o.sql.listen(this.o.notifyChannel, () => this.wake());
      this.unlisten = meta.unlisten;
    }
    this.loop = this.runLoop();
    this.timers.push(setInterval(() => void this.reconcile(), this.o.reconcileIntervalMs));
    this.timers.push(setInterval(() => void this.updateGauges(), 1_000));
    void this.reconcile();
    void this.updateGauges();
  }

  /** Runs the claim loop now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.running = false;
      for (const t of this.timers) clearInterval(t);
      this.wake();
      await this.loop;
      await this.reconciling;
      await this.unlisten?.().catch(() => undefined);
    })();
    return this.stopping;
  }

  /** One claim → addBulk round; returns how many events were enqueued. */
  async relayOnce(): Promise<number> {
    const claimed = await claimPendingEvents(this.o.sql, this.o.batchSize);
    if (claimed.length === 0) return 0;
    try {
      await addOutboxJobs(this.o.queue, claimed, this.o.jobOptions);
    } catch (err) {
      // Hand the rows back at once; if even that fails, the reconciliation recovers them after the lease.
      await releaseClaimedEvents(this.o.sql, claimed).catch(() => undefined);
      throw err;
    }
    for (const e of claimed) this.o.metrics.outboxEventsTotal.inc({ type: e.type, status: 'enqueued' });
    return claimed.length;
  }

  private async runLoop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.woken = false;
      let enqueued = 0;
      try {
        enqueued = await this.relayOnce();
        failures = 0;
        this.o.progress?.beat();
      } catch (err) {
        failures++;
        this.o.log.error({ err, failures }, 'outbox relay round failed');
      }
      if (!this.running) break;
      if (enqueued === this.o.batchSize || this.woken) continue;
      // Back off while PostgreSQL or Redis is down, up to 5 s.
      const waitMs = failures ? Math.min(this.o.pollIntervalMs * 2 ** failures, 5_000) : this.o.pollIntervalMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  /** One reconciliation pass (skipped when the previous one is still running). */
  reconcile(): Promise<unknown> {
    if (this.reconciling) return this.reconciling;
    this.reconciling = this.o.reconciler
      .reconcileOnce()
      .then((r) => {
        const { outboxReconcilePassesTotal: passes, outboxReconcileRepairsTotal: repairs } = this.o.metrics;
        passes.inc();
        if (r.resetToPending > 0) repairs.inc({ action: 'reset_to_pending' }, r.resetToPending);
        if (r.markedFailed > 0) repairs.inc({ action: 'marked_failed' }, r.markedFailed);
        if (r.mailJobsReadded > 0) repairs.inc({ action: 'mail_readded' }, r.mailJobsReadded);
        if (r.resetToPending > 0) this.wake();
      })
      .catch((err: unknown) => this.o.log.error({ err }, 'outbox reconciliation failed'))
      .finally(() => {
        this.reconciling = undefined;
      });
    return this.reconciling;
  }

  private async updateGauges(): Promise<void> {
    try {
      const s = await getPendingStats(this.o.sql);
      this.o.metrics.outboxPendingEvents.set(s.pending);
      this.o.metrics.outboxOldestPendingSeconds.set(s.oldestPendingSeconds ?? 0);
    } catch (err) {
      this.o.log.debug({ err }, 'outbox gauges not updated');
    }
  }
}
