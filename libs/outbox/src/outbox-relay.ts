import type { JobsOptions, Queue } from 'bullmq';
import type { Sql } from 'postgres';
import type { Logger } from 'pino';
import type { PollerMetrics, ProgressMonitor } from '@execn/observability';
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
  metrics: PollerMetrics;
  progress?: ProgressMonitor;
  batchSize: number;
  /** Events one outbox job carries at most (OUTBOX_JOB_MAX_EVENTS). */
  jobMaxEvents: number;
  /** Fallback poll when no NOTIFY arrives (POLL_INTERVAL_MS). */
  pollIntervalMs: number;
  /** Time between reconciliation passes. */
  reconcileIntervalMs: number;
  /** The NOTIFY channel to LISTEN on, or undefined to rely on polling alone. */
  notifyChannel?: string;
  /**
   * Opens a LISTEN on its own connection, calling `onNotify` for each
   * notification and after each (re)listen; resolves with its close. Without
   * it, `sql.listen` is used and never replaced.
   */
  openListener?: (channel: string, onNotify: () => void) => Promise<() => Promise<void>>;
  /** How often an idle relay checks that its LISTEN still hears (self-NOTIFY). @default 2_000 */
  listenCheckIntervalMs?: number;
}

/** How long a self-NOTIFY may take to come back before the LISTEN is opened again. */
const LISTEN_ECHO_TIMEOUT_MS = 1_000;

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
  private heardAt = Date.now();
  private checkingListener: Promise<void> | undefined;

  constructor(private readonly o: OutboxRelayOptions) {}

  async start(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = true;
    if (this.o.notifyChannel) await this.listen(this.o.notifyChannel);
    if (this.o.notifyChannel && this.o.openListener) {
      this.timers.push(setInterval(() => void this.checkListener(), this.o.listenCheckIntervalMs ?? 2_000));
    }
    this.loop = this.runLoop();
    this.timers.push(setInterval(() => void this.reconcile(), this.o.reconcileIntervalMs));
    this.timers.push(setInterval(() => void this.updateGauges(), 1_000));
    void this.reconcile();
    void this.updateGauges();
  }

  private async listen(channel: string): Promise<void> {
    const onNotify = () => {
      this.heardAt = Date.now();
      this.wake();
    };
    if (this.o.openListener) this.unlisten = await this.o.openListener(channel, onNotify);
    else this.unlisten = (await this.o.sql.listen(channel, onNotify)).unlisten;
  }

  /**
   * postgres.js re-listens by itself after its LISTEN connection dropped, but
   * not always: after a PostgreSQL restart the relay sometimes heard nothing
   * again, and reports waited for the fallback poll. So when nothing was heard
   * for a while, the relay NOTIFYs itself, and opens its LISTEN again on a
   * fresh connection when that does not come back (then claims at once, for
   * what it missed). While the database is away the NOTIFY fails and nothing
   * is replaced; the first check after it returns does it.
   */
  private checkListener(): Promise<void> {
    const channel = this.o.notifyChannel;
    if (!channel || this.checkingListener || !this.running) return this.checkingListener ?? Promise.resolve();
    this.checkingListener = (async () => {
      const sentAt = Date.now();
      if (sentAt - this.heardAt < (this.o.listenCheckIntervalMs ?? 2_000)) return;
      try {
        await this.o.sql`select pg_notify(${channel}, '')`;
      } catch {
        return;
      }
      const deadline = Date.now() + LISTEN_ECHO_TIMEOUT_MS;
      while (this.heardAt < sentAt && Date.now() < deadline && this.running) await new Promise((r) => setTimeout(r, 50));
      if (this.heardAt >= sentAt || !this.running) return;
      this.o.log.warn({ channel }, 'outbox LISTEN heard nothing, listening again on a new connection');
      await this.unlisten?.().catch(() => undefined);
      this.unlisten = undefined;
      await this.listen(channel);
      this.wake();
    })()
      .catch((err: unknown) => this.o.log.warn({ err }, 'outbox LISTEN not reopened, retrying at the next check'))
      .finally(() => {
        this.checkingListener = undefined;
      });
    return this.checkingListener;
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
      await this.checkingListener;
      await this.unlisten?.().catch(() => undefined);
    })();
    return this.stopping;
  }

  /** One claim → addBulk round; returns how many events were enqueued. */
  async relayOnce(): Promise<number> {
    const claimed = await claimPendingEvents(this.o.sql, this.o.batchSize, this.o.jobMaxEvents);
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
        if (r.summariesDue > 0) repairs.inc({ action: 'summary_added' }, r.summariesDue);
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
