import type { Job, JobsOptions, Queue } from 'bullmq';
import type { Sql } from 'postgres';
import type { Logger } from 'pino';
import { addMailJobs, groupMailJobs } from './add-jobs';
import type { EventRef } from './event-ref';
import { findDueSummaries, latestDailyCutoff } from './find-due-summaries';
import { findInFlightEvents } from './find-in-flight-events';
import { findPendingMailDeliveries, findPendingMailDeliveriesOfJobs, type PendingMailDelivery } from './find-pending-mail-deliveries';
import {
  ORDER_SUMMARY_JOB_NAME,
  checkJobPresence,
  deleteJobRemains,
  mailJobEvents,
  mailJobId,
  mailJobSchema,
  orderSummaryJobId,
  orderSummaryJobSchema,
  outboxJobEvents,
  outboxJobId,
  outboxJobSchema,
} from '@execn/queues';
import { markEventFailed } from './mark-event-failed';
import { recordMailAttempts } from './record-mail-attempts';
import type { RedisEpoch } from './redis-epoch';
import { resetEventsToPending } from './reset-events-to-pending';

/** Dependencies and settings of `OutboxReconciler`. */
export interface OutboxReconcilerOptions {
  sql: Sql;
  outboxQueue: Queue;
  mailQueue: Queue;
  mailJobOptions: JobsOptions;
  epoch: RedisEpoch;
  log: Logger;
  /** How long a row may stay in flight before its job is checked (OUTBOX_LEASE_MS). */
  leaseMs: number;
  /** Rows checked per round trip. @default 500 */
  pageSize?: number;
  /** The daily summary's cutoff, `HH:MM` UTC (MAIL_SUMMARY_DAILY_AT). @default '22:00' */
  summaryDailyAt?: string;
  /** The clock (tests move it past a cutoff). @default () => new Date() */
  now?: () => Date;
  /**
   * Pages checked per regular pass; the next pass goes on from there, so a
   * large backlog older than the lease costs a bounded amount per pass. A
   * sweep after a wipe checks everything. @default 10
   */
  maxPagesPerPass?: number;
}

/** What one reconciliation pass did. */
export interface ReconcileResult {
  wiped: boolean;
  resetToPending: number;
  markedFailed: number;
  mailJobsReadded: number;
  /** Order summary jobs added for held mails that were due (the daily cutoff, or a final order without its job). */
  summariesDue: number;
}

/**
 * Repairs what Redis lost. PostgreSQL is the truth: an event in flight past
 * its lease whose job is gone goes back to `pending` (the relay enqueues it
 * again); one whose job failed for good is marked `failed` (the worker could
 * not record it); a pending mail delivery whose mail job is gone gets its job
 * again. When the epoch key shows Redis was wiped, every in-flight row is
 * checked at once, lease or not.
 */
export class OutboxReconciler {
  private readonly pageSize: number;
  private readonly maxPagesPerPass: number;
  private cursors = { events: '0', mail: '0' };

  constructor(private readonly o: OutboxReconcilerOptions) {
    this.pageSize = o.pageSize ?? 500;
    this.maxPagesPerPass = o.maxPagesPerPass ?? 10;
  }

  async reconcileOnce(): Promise<ReconcileResult> {
    const epoch = await this.o.epoch.check();
    const wiped = epoch === 'changed';
    if (wiped) this.o.log.warn('redis was wiped (epoch key changed): sweeping every in-flight outbox event');
    const olderThanMs = wiped ? 0 : this.o.leaseMs;
    if (wiped) this.cursors = { events: '0', mail: '0' };
    const maxPages = wiped ? Number.POSITIVE_INFINITY : this.maxPagesPerPass;
    const events = await this.reconcileEvents(olderThanMs, maxPages);
    const mailJobsReadded = await this.reconcileMail(olderThanMs, maxPages);
    const summariesDue = await this.addDueSummaries(olderThanMs);
    const result = { wiped, ...events, mailJobsReadded, summariesDue };
    if (result.resetToPending || result.markedFailed || result.mailJobsReadded) {
      this.o.log.warn(result, 'outbox reconciliation repaired lost jobs');
    }
    // Mostly the daily summaries, at the cutoff; otherwise a final order whose summary job was never added.
    if (summariesDue) this.o.log.info({ summariesDue }, 'order summary jobs added for held mails that were due');
    return result;
  }

  private async reconcileEvents(olderThanMs: number, maxPages: number): Promise<{ resetToPending: number; markedFailed: number }> {
    let resetToPending = 0;
    let markedFailed = 0;
    for (let pages = 0; pages < maxPages; pages++) {
      const page = await findInFlightEvents(this.o.sql, { olderThanMs, afterId: this.cursors.events, limit: this.pageSize });
      this.cursors.events = page.length < this.pageSize ? '0' : page[page.length - 1]!.eventId;
      const ids = page.map((e) => e.jobId ?? outboxJobId(e.eventId, e.generation));
      const presence = await checkJobPresence(this.o.outboxQueue, ids);
      const gone: EventRef[] = [];
      for (const [i, e] of page.entries()) {
        const p = presence[i];
        if (p === 'missing') gone.push(e);
        else if (p === 'failed') {
          const job = await this.o.outboxQueue.getJob(ids[i]!);
          if (job && carries(job, e)) {
            const reason = job?.failedReason || 'outbox job failed';
            if (await markEventFailed(this.o.sql, e, reason, job?.attemptsMade ?? 0)) markedFailed++;
          } else {
            // A husk left by a wipe mid-job (a hash without its data): not a real failure of this event.
            await this.o.outboxQueue.remove(ids[i]!);
            gone.push(e);
          }
        } else if (p === 'completed' && olderThanMs > 0) {
          // Completed in Redis but never marked in PostgreSQL: remove the job so its id can be added again.
          await this.o.outboxQueue.remove(ids[i]!);
          gone.push(e);
        }
      }
      // One batch job can carry several of the page's events: its remains are deleted once.
      const goneJobIds = new Set(page.flatMap((e, i) => (gone.includes(e) ? [ids[i]!] : [])));
      await deleteJobRemains(this.o.outboxQueue, [...goneJobIds]);
      resetToPending += (await resetEventsToPending(this.o.sql, gone)).length;
      if (this.cursors.events === '0') break;
    }
    return { resetToPending, markedFailed };
  }

  /**
   * Held mails due in a summary get their summary job, unless it is already in the queue (waiting behind a
   * backlog: its mails stay held until it runs). A summary job that vanished after it formed is re-added by
   * `reconcileMail`: its deliveries are then pending.
   */
  private async addDueSummaries(olderThanMs: number): Promise<number> {
    const cutoff = latestDailyCutoff((this.o.now ?? (() => new Date()))(), this.o.summaryDailyAt ?? '22:00');
    const due = await findDueSummaries(this.o.sql, { olderThanMs, cutoff, limit: this.pageSize });
    const ids = due.map((d) => orderSummaryJobId(d.orderId, d.throughSeq));
    const presence = await checkJobPresence(this.o.mailQueue, ids);
    // A failed one failed before it formed (its mails would not be held otherwise): it gets another go.
    const failed = ids.filter((_, i) => presence[i] === 'failed');
    await Promise.all(failed.map((id) => this.o.mailQueue.remove(id)));
    const missing = ids.filter((_, i) => presence[i] === 'missing' || presence[i] === 'failed');
    await deleteJobRemains(this.o.mailQueue, missing);
    await addMailJobs(this.o.mailQueue, missing.map((jobId) => ({ jobId, refs: [] })), this.o.mailJobOptions);
    return missing.length;
  }

  private async reconcileMail(olderThanMs: number, maxPages: number): Promise<number> {
    let readded = 0;
    const queue = this.o.mailQueue;
    for (let pages = 0; pages < maxPages; pages++) {
      const page = await findPendingMailDeliveries(this.o.sql, { olderThanMs, afterId: this.cursors.mail, limit: this.pageSize });
      // Paged by event id: the (rare) later generations of the page's last event are seen on the next pass.
      this.cursors.mail = page.length < this.pageSize ? '0' : page[page.length - 1]!.eventId;
      // One mail job carries the pending mails of one outbox job: its state is checked once.
      const jobIds = [...new Set(page.map(mailJobOf))];
      const presence = new Map((await checkJobPresence(queue, jobIds)).map((p, i) => [jobIds[i]!, p]));
      const failedIds = jobIds.filter((id) => presence.get(id) === 'failed');
      const failedJobs = new Map(await Promise.all(failedIds.map(async (id) => [id, await queue.getJob(id)] as const)));
      // A job's final failure marks the deliveries it carried failed (the mail worker records its last attempt
      // itself; this covers a worker that could not). A failed job that does not carry a pending delivery (a
      // husk left by a wipe mid-job, with no data) is removed, and the delivery goes in a new job under its id.
      const failed = page.filter((r) => presence.get(mailJobOf(r)) === 'failed');
      const real = failed.filter((r) => carriesMail(failedJobs.get(mailJobOf(r)), r));
      const husks = failed.filter((r) => !real.includes(r));
      await recordMailAttempts(this.o.sql, real.map((r) => ({ ...r, status: 'failed' as const, error: 'mail job failed', messageId: null })));
      await Promise.all([...new Set(husks.map(mailJobOf))].map((id) => queue.remove(id)));
      const goneIds = [...new Set([...page.filter((r) => presence.get(mailJobOf(r)) === 'missing'), ...husks].map(mailJobOf))];
      await deleteJobRemains(queue, goneIds);
      // A job that vanished comes back with every mail it carried, those past this page too.
      const legacy = page.filter((r) => r.jobId === null && goneIds.includes(mailJobOf(r)));
      const gone = [...legacy, ...(await findPendingMailDeliveriesOfJobs(this.o.sql, goneIds.filter((id) => !legacy.some((r) => mailJobOf(r) === id))))];
      await addMailJobs(queue, groupMailJobs(gone, mailJobOf), this.o.mailJobOptions);
      readded += gone.length;
      if (this.cursors.mail === '0') break;
    }
    return readded;
  }
}

/** The mail job of a pending delivery: the one recorded with it, or (recorded before batches) its own. */
const mailJobOf = (r: PendingMailDelivery): string => r.jobId ?? mailJobId(r.eventId, r.generation);

/**
 * Whether a mail job's data carries this event generation (a husk left by a wipe mid-job has no data). An order
 * summary job carries what it formed, recorded on the deliveries: its data just has to be whole.
 */
function carriesMail(job: Job | undefined, r: EventRef): boolean {
  if (job?.name === ORDER_SUMMARY_JOB_NAME) return orderSummaryJobSchema.safeParse(job.data).success;
  const parsed = mailJobSchema.safeParse(job?.data);
  return parsed.success && mailJobEvents(parsed.data).some((x) => x.eventId === r.eventId && x.generation === r.generation);
}

/** Whether a job's data carries this event (a husk left by a wipe mid-job has no data). */
function carries(job: Job, e: EventRef): boolean {
  const parsed = outboxJobSchema.safeParse(job.data);
  return parsed.success && outboxJobEvents(parsed.data, job.name).some((x) => x.eventId === e.eventId && x.generation === e.generation);
}
