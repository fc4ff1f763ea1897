import type { JobsOptions, Queue } from 'bullmq';
import type { Sql } from 'postgres';
import type { Logger } from 'pino';
import { EXECUTION_REPORT_EVENT, type ExecutionReport } from '@execn/contracts';
import type { ReportBroadcaster } from '@execn/notifications';
import type { Metrics } from '@execn/observability';
import { addMailJobs } from './add-jobs';
import { completeEventDispatch, type CompletedDispatch, type DispatchOutcome } from './complete-event-dispatch';
import type { EventRef } from './event-ref';
import { MicroBatcher } from './micro-batcher';
import { startEventDispatch, type DispatchableEvent } from './start-event-dispatch';

/** Dependencies of `ExecutionReportDispatcher`. */
export interface ExecutionReportDispatcherOptions {
  sql: Sql;
  broadcaster: ReportBroadcaster;
  mailQueue: Queue;
  mailJobOptions: JobsOptions;
  metrics: Metrics;
  log: Logger;
}

/** How a job ended: `processed` by this call, `duplicate` (already processed), `stale` (requeued since), `missing` (row gone). */
export type DispatchResult = 'processed' | 'duplicate' | 'stale' | 'missing';

/**
 * The `outbox` job: load the event (marking it processing), broadcast it, add
 * its mail job, then record both deliveries and mark it processed. A broadcast
 * failure is logged, counted and recorded, and never stops the mail or the
 * mark. Database and Redis errors throw, so BullMQ retries the job.
 *
 * The three round trips per event (load, mail job, mark) are shared by the
 * jobs running at the same time through micro-batches: with 50 jobs in flight
 * that is a few statements for 50 events instead of 150.
 */
export class ExecutionReportDispatcher {
  private readonly starts: MicroBatcher<EventRef, DispatchableEvent | null>;
  private readonly mailJobs: MicroBatcher<EventRef, undefined>;
  private readonly completions: MicroBatcher<DispatchOutcome, CompletedDispatch>;

  constructor(private readonly o: ExecutionReportDispatcherOptions) {
    this.starts = new MicroBatcher((refs) => startEventDispatch(o.sql, refs));
    this.mailJobs = new MicroBatcher(async (refs) => {
      await addMailJobs(o.mailQueue, refs, o.mailJobOptions);
      return refs.map(() => undefined);
    });
    this.completions = new MicroBatcher((outcomes) => completeEventDispatch(o.sql, outcomes));
  }

  async dispatch(ref: EventRef): Promise<DispatchResult> {
    const log = this.o.log.child({ eventId: ref.eventId, generation: ref.generation });
    const event = await this.starts.load(ref);
    if (!event) {
      log.warn('outbox event not found; job acknowledged');
      return 'missing';
    }
    if (event.currentGeneration !== ref.generation) return 'stale';
    if (event.previousStatus === 'processed') return 'duplicate';

    const isReport = event.type === EXECUTION_REPORT_EVENT;
    if (!isReport) log.warn({ type: event.type }, 'outbox event of unknown type; marked processed without notification');
    if (isReport && !event.orderExists) log.warn({ orderId: event.orderId }, 'order of outbox event not found; dispatching anyway');

    const mail = isReport && event.email !== null;
    if (isReport && !mail) log.warn({ accountId: event.accountId }, 'account of outbox event not found; no mail');
    // The broadcast and the mail job do not depend on each other: both go to Redis at once. The mail job is
    // added before the mark, so once processed the mail is already on its way.
    const [websocket] = await Promise.all([
      isReport ? this.broadcast(event, log) : Promise.resolve(undefined),
      mail ? this.mailJobs.load(ref) : Promise.resolve(undefined),
    ]);
    const done = await this.completions.load({ ...ref, websocket, mail });
    if (!done.processed) return 'duplicate';
    this.o.metrics.outboxEventsTotal.inc({ type: event.type, status: 'processed' });
    if (done.dispatchSeconds !== null) this.o.metrics.executionReportDispatchSeconds.observe(done.dispatchSeconds);
    return 'processed';
  }

  /** Broadcasts the report; a failure is logged, counted and returned as the websocket outcome, never thrown. */
  private async broadcast(event: DispatchableEvent, log: Logger): Promise<DispatchOutcome['websocket']> {
    const report = { ...event.payload, eventId: event.eventId } as ExecutionReport;
    try {
      await this.o.broadcaster.broadcast(report);
      return { status: 'sent', error: null };
    } catch (err) {
      log.error({ err, accountId: event.accountId, orderId: event.orderId }, '[OUTBOX] execution.report broadcast failed');
      this.o.metrics.notificationErrorsTotal.inc({ channel: 'websocket' });
      return { status: 'failed', error: err instanceof Error ? err.message : String(err) };
    }
  }
}
