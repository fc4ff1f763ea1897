import { UnrecoverableError, type Job, type JobsOptions, type Queue } from 'bullmq';
import type { Sql } from 'postgres';
import type { Logger } from 'pino';
import { EXECUTION_REPORT_EVENT, type ExecutionReport } from '@execn/contracts';
import type { ReportBroadcaster } from '@execn/notifications';
import type { WorkerMetrics } from '@execn/observability';
import { mailJobId, newMailJobId, orderSummaryJobId, outboxJobEvents, outboxJobSchema, type OutboxJobEvent } from '@execn/queues';
import { addMailJobs, groupMailJobs, type MailJobSpec } from './add-jobs';
import { completeEventDispatch, type CompletedDispatch, type DispatchOutcome } from './complete-event-dispatch';
import { decideReportMail, isHeldForSummary, type ReportMailDecision } from './decide-report-mail';
import type { EventRef } from './event-ref';
import { findPendingMailDeliveriesOfJobs } from './find-pending-mail-deliveries';
import { loadEventPayloads } from './load-event-payloads';
import { markEventFailed } from './mark-event-failed';
import { MicroBatcher } from './micro-batcher';

/**
 * Most mails one mail job carries. A batch of marks can hold up to 200 events (a drain, the catch-up after an
 * outage), and a mail job run twice (its lock lost with Redis) can resend those of its mails not yet recorded
 * sent: a 30 s Redis outage under load once ended with 290 duplicate mails. Jobs of at most 50 bound what one
 * repeated run resends, for a few more Redis commands per 200 mails.
 */
export const MAILS_PER_MAIL_JOB = 50;

/** Dependencies of `ExecutionReportDispatcher`. */
export interface ExecutionReportDispatcherOptions {
  sql: Sql;
  broadcaster: ReportBroadcaster;
  mailQueue: Queue;
  mailJobOptions: JobsOptions;
  metrics: WorkerMetrics;
  log: Logger;
  /**
   * How long a processed mark may wait for others while jobs keep coming (`MicroBatcher`'s `lingerMs`): the
   * reports are already broadcast, so only the mail waits. @default 0
   */
  markLingerMs?: number;
}

/** How an event's dispatch ended: `processed` by this call, `duplicate` (already processed), `stale` (requeued since), `missing` (row gone). */
export type DispatchResult = CompletedDispatch['result'];

/** How a job ended: how many of its events ended which way (its BullMQ return value). */
export type JobResult = Partial<Record<DispatchResult, number>>;

/**
 * How one event's dispatch ended, and what its mail still needs: `summary`, its order's summary job to add;
 * `readd`, the mail job recorded for its pending mail (a job retried after its mark), to add again.
 */
interface EventDispatch {
  result: DispatchResult;
  summary?: EventRef & { jobId: string };
  readd?: EventRef & { jobId: string };
}

/** A mark's outcome, and whether its batch added the mail job of its pending mail. */
type MarkedEvent = CompletedDispatch & { mailAdded: boolean };

/**
 * The life of one `outbox` job, from fetch to `processed`, top to bottom:
 *
 * 1. `process` validates the job (a malformed one can never succeed: `UnrecoverableError`). A job carries the
 *    events of one claim (one when the pipe is idle, up to OUTBOX_JOB_MAX_EVENTS under load); each goes
 *    through the steps below at the same time, so they share every statement and Redis call.
 * 2. It broadcasts each report it carries at once: the live path does not wait on PostgreSQL. A broadcast
 *    failure is logged, counted and recorded, and never stops the rest.
 * 3. One batched statement marks the event `processed` where the generation still matches and records the
 *    websocket and (pending) mail deliveries. The mail is decided per report from the preference recorded with
 *    it (`decideReportMail`): mailed now, held for its order's summary, or skipped.
 * 4. The same batch then adds one mail job with the pending mails it recorded (`markBatch`; one per
 *    `MAILS_PER_MAIL_JOB` of them), under the id it recorded on their deliveries, before any of its jobs completes: a stale or duplicate job never mails, and a
 *    crash between 3 and 4 leaves pending deliveries that the reconciliation enqueues after the lease. A mail
 *    job costs ~40 Redis commands, a fetch and two statements whatever it carries, so under a steady flow the
 *    marks wait up to `markLingerMs` for each other (the reports are already on the sockets; only the mail
 *    waits). A report that makes its order final under `order_summary` adds its order's summary job instead
 *    (`OrderSummaryMailer`).
 * 5. Database and Redis errors throw, so BullMQ retries the job; after its last attempt `recordFinalFailure`
 *    marks the event `failed` (final until an admin requeues it).
 *
 * A job that throws is retried whole: its events already processed come back `duplicate` (nothing is written or
 * mailed twice), and a pending mail among them has its recorded mail job added again with every mail recorded
 * for it (the batch that failed to add it served other jobs too). A redelivered job (after a stall) or one of an
 * older generation may broadcast again: clients deduplicate by `seq` (at-least-once). Steps 3 and 4 are shared
 * by the jobs in flight through micro-batches: with 50 jobs running, a few statements and one `addBulk` instead
 * of 100 round trips.
 */
export class ExecutionReportDispatcher {
  private readonly markProcessed: MicroBatcher<Omit<DispatchOutcome, 'mailJobId'>, MarkedEvent>;
  private readonly addMailJob: MicroBatcher<MailJobSpec, undefined>;
  private readonly loadPayload: MicroBatcher<EventRef, Record<string, unknown> | null>;

  constructor(private readonly o: ExecutionReportDispatcherOptions) {
    this.markProcessed = new MicroBatcher((outcomes) => this.markBatch(outcomes), { lingerMs: o.markLingerMs ?? 0 });
    this.addMailJob = new MicroBatcher(async (jobs) => {
      await addMailJobs(o.mailQueue, jobs, o.mailJobOptions);
      return jobs.map(() => undefined);
    });
    this.loadPayload = new MicroBatcher((refs) => loadEventPayloads(o.sql, refs));
  }

  /** The BullMQ processor of the `outbox` queue. */
  async process(job: Job): Promise<JobResult> {
    const parsed = outboxJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid outbox job data: ${parsed.error.message}`);
    const events = outboxJobEvents(parsed.data, job.name);
    const dispatched = await Promise.all(events.map((e) => this.dispatch(e.type, e)));
    const summaries = dispatched.flatMap((d) => (d.summary ? [d.summary] : []));
    const readds = dispatched.flatMap((d) => (d.readd ? [d.readd] : []));
    await Promise.all([
      ...groupMailJobs(summaries, (m) => m.jobId).map((spec) => this.addMailJob.load(spec)),
      readds.length > 0 ? this.readdMailJobs(readds) : undefined,
    ]);
    const counts: JobResult = {};
    for (const { result } of dispatched) counts[result] = (counts[result] ?? 0) + 1;
    return counts;
  }

  /**
   * Steps 3 and 4 for the marks of the jobs in flight: one statement, then one mail job with the mails it
   * recorded pending. Every caller gets the error when either fails (their jobs are retried).
   */
  private async markBatch(outcomes: Array<Omit<DispatchOutcome, 'mailJobId'>>): Promise<MarkedEvent[]> {
    // At most MAILS_PER_MAIL_JOB mails a job: a mail job that runs twice (its lock lost with Redis, a stalled
    // worker) resends at most the mails of one job that were not yet recorded sent.
    const jobIds = Array.from({ length: Math.ceil(outcomes.length / MAILS_PER_MAIL_JOB) }, () => newMailJobId());
    const jobIdOf = (i: number) => jobIds[Math.floor(i / MAILS_PER_MAIL_JOB)]!;
    const done = await completeEventDispatch(
      this.o.sql,
      outcomes.map((x, i) => ({ ...x, mailJobId: jobIdOf(i) })),
    );
    const added = done.map((d, i) => d.result === 'processed' && d.mailPending && d.mailJobId === jobIdOf(i));
    // An event can be in a batch twice (a job re-added after a Redis wipe while the old one still ran): one mail.
    const refs = [...new Map(outcomes.flatMap((x, i) => (added[i] ? [[`${x.eventId}:${x.generation}`, { ...x, jobId: jobIdOf(i) }] as const] : []))).values()];
    if (refs.length > 0) await addMailJobs(this.o.mailQueue, groupMailJobs(refs, (r) => r.jobId), this.o.mailJobOptions);
    return done.map((d, i) => ({ ...d, mailAdded: added[i]! }));
  }

  /**
   * Adds again the mail jobs recorded for pending mails of a retried job, each with every mail still pending
   * under its id: the first run's batch may have died before adding it, and it carried other jobs' mails too.
   * A job that exists is left as it is.
   */
  private async readdMailJobs(mails: Array<EventRef & { jobId: string }>): Promise<void> {
    const pending = await findPendingMailDeliveriesOfJobs(this.o.sql, [...new Set(mails.map((m) => m.jobId))]);
    const known = new Set(mails.map((m) => `${m.eventId}:${m.generation}`));
    const others = pending.flatMap((r) => (r.jobId && !known.has(`${r.eventId}:${r.generation}`) ? [{ ...r, jobId: r.jobId }] : []));
    await Promise.all(groupMailJobs([...mails, ...others], (m) => m.jobId).map((spec) => this.addMailJob.load(spec)));
  }

  /** Steps 2 and 3 for one event of a job. */
  private async dispatch(type: string, job: OutboxJobEvent): Promise<EventDispatch> {
    const ref: EventRef = { eventId: job.eventId, generation: job.generation };
    const log = this.o.log.child({ eventId: ref.eventId, generation: ref.generation });
    const isReport = type === EXECUTION_REPORT_EVENT;
    if (!isReport) log.warn({ type }, 'outbox event of unknown type; marked processed without notification');

    let websocket: DispatchOutcome['websocket'];
    let decision: ReportMailDecision = 'mail';
    let summaryJob: string | null = null;
    if (isReport) {
      const payload = job.payload ?? (await this.loadPayload.load(ref));
      if (!payload) {
        log.warn('outbox event not found; job acknowledged');
        return { result: 'missing' };
      }
      websocket = await this.broadcast({ ...payload, eventId: ref.eventId } as ExecutionReport, log);
      decision = decideReportMail(payload, job.mailMode, ref.generation);
      summaryJob = decision === 'summarize' ? summaryJobOf(payload) : null;
    }

    const mailStatus = decision === 'skip' ? 'skipped' : isHeldForSummary(decision) ? 'held' : 'pending';
    const done = await this.markProcessed.load({ ...ref, websocket, mailStatus });
    if (done.result === 'missing') log.warn('outbox event not found; job acknowledged');
    if (done.orderMissing) log.warn('order of outbox event not found; dispatched anyway');
    if (done.noRecipient) log.warn('account of outbox event has no email; no mail');
    if (done.result === 'processed') {
      this.o.metrics.outboxEventsTotal.inc({ type, status: 'processed' });
      if (done.dispatchSeconds !== null) this.o.metrics.executionReportDispatchSeconds.observe(done.dispatchSeconds);
    }
    // The order is final with this report: its summary is due (a retried job adds the same job again, a no-op).
    if (summaryJob && (done.result === 'processed' || done.result === 'duplicate')) return { result: done.result, summary: { ...ref, jobId: summaryJob } };
    // A duplicate whose mail is still pending may be the retry of a job whose batch died before adding its mail
    // job, and a held mail's delivery may have been written pending by its order's summary: that job is added
    // again (a no-op when it exists). The batch added the job of a mail it recorded itself.
    if (!done.mailPending || done.mailAdded) return { result: done.result };
    return { result: done.result, readd: { ...ref, jobId: done.mailJobId ?? mailJobId(ref.eventId, ref.generation) } };
  }

  /** After a job's last attempt: its events still in flight are `failed`, not retried forever. */
  async recordFinalFailure(job: Job, err: Error): Promise<void> {
    const parsed = outboxJobSchema.safeParse(job.data);
    if (!parsed.success) return;
    for (const e of outboxJobEvents(parsed.data, job.name)) {
      if (await markEventFailed(this.o.sql, e, err.message, job.attemptsMade)) {
        this.o.metrics.outboxEventsTotal.inc({ type: e.type, status: 'failed' });
      }
    }
  }

  /** Broadcasts the report; a failure is logged, counted and returned as the websocket outcome, never thrown. */
  private async broadcast(report: ExecutionReport, log: Logger): Promise<DispatchOutcome['websocket']> {
    try {
      await this.o.broadcaster.broadcast(report);
      return { status: 'sent', error: null };
    } catch (err) {
      log.error({ err, accountId: report.accountId, orderId: report.orderId }, '[OUTBOX] execution.report broadcast failed');
      this.o.metrics.notificationErrorsTotal.inc({ channel: 'websocket' });
      return { status: 'failed', error: err instanceof Error ? err.message : String(err) };
    }
  }
}

/** The summary job a final report triggers: its order's, through its seq (null when the payload lacks them). */
function summaryJobOf(payload: Record<string, unknown>): string | null {
  const { orderId, seq } = payload;
  return typeof orderId === 'string' && typeof seq === 'number' ? orderSummaryJobId(orderId, seq) : null;
}
