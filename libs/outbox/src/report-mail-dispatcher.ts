import { UnrecoverableError, type Job } from 'bullmq';
import pLimit from 'p-limit';
import type { Sql } from 'postgres';
import type { Logger } from 'pino';
import type { ExecutionReport } from '@execn/contracts';
import { describeSmtpError, isPermanentSmtpError, sendReportMail, type SmtpPool } from '@execn/notifications';
import type { WorkerMetrics } from '@execn/observability';
import { ORDER_SUMMARY_JOB_NAME, mailJobEvents, mailJobSchema, type MailJob } from '@execn/queues';
import type { EventRef } from './event-ref';
import { loadMailContexts, type MailContext } from './load-mail-contexts';
import { MicroBatcher } from './micro-batcher';
import { OrderSummaryMailer, type SummaryJobResult } from './order-summary-mailer';
import { recordMailAttempts, type MailAttempt } from './record-mail-attempts';

/** Dependencies of `ReportMailDispatcher`. */
export interface ReportMailDispatcherOptions {
  sql: Sql;
  smtp: SmtpPool;
  mailFrom: string;
  /** Upper bound on one send (see `sendReportMail`). */
  sendTimeoutMs: number;
  /**
   * Mails being sent at once by this process, whatever the jobs carry (the worker's concurrency, as when a job
   * carried one mail): the send deadline starts when a send starts, so a slow server is not met with a queue
   * of sends that time out waiting for a connection.
   */
  maxConcurrentSends: number;
  metrics: WorkerMetrics;
  log: Logger;
}

/**
 * How one event's mail ended in one run of its job: `sent`; `already_sent` (a redelivered job);
 * `no_recipient`; `missing` (row gone); `stale` (the event was requeued since: the new generation has its own
 * mail); `retry` (a failure BullMQ retries); `failed` (a 5xx, or the job's last attempt).
 */
export type MailResult = 'sent' | 'already_sent' | 'no_recipient' | 'missing' | 'stale' | 'retry' | 'failed';

/** How a mail job ended: how many of its mails ended which way (its BullMQ return value). */
export type MailJobResult = Partial<Record<MailResult, number>>;

interface MailOutcome extends EventRef {
  result: MailResult;
  err?: unknown;
}

/**
 * The life of one `mail` job: it carries the mails of the events one outbox job marked (one event when the
 * pipe is idle, a batch under load; a job added before batches carries one at the top level).
 *
 * 1. One statement (shared with the jobs in flight) loads each event's payload, current generation, the
 *    account's email and the delivery's status. A delivery already `sent` is skipped (a redelivered job), as
 *    is a generation that is no longer the event's (requeued since). A `failed` delivery is tried again when
 *    its job is (a retry from Bull Board): an operator asked for it.
 * 2. The mails are sent at once through the SMTP pool (at most `maxConcurrentSends` per process), each bounded
 *    by its own deadline from the moment it starts.
 * 3. Every attempt is recorded on its delivery row (one statement for the batch).
 * 4. Connection errors, timeouts and 4xx replies are retried by BullMQ with backoff: the job's data is first
 *    narrowed to the mails still to send, so a retry resends none that went and none that failed for good.
 *    A 5xx is final for its mail; a job with nothing left but such failures ends `failed` (`UnrecoverableError`).
 */
export class ReportMailDispatcher {
  private readonly contexts: MicroBatcher<EventRef, MailContext | null>;
  private readonly attempts: MicroBatcher<MailAttempt, undefined>;
  private readonly sending: pLimit.Limit;
  private readonly summaries: OrderSummaryMailer;

  constructor(private readonly o: ReportMailDispatcherOptions) {
    this.sending = pLimit(o.maxConcurrentSends);
    this.summaries = new OrderSummaryMailer({ ...o, sending: this.sending });
    // One statement at a time per kind: mail is not latency-critical, and bigger batches cost fewer round trips.
    this.contexts = new MicroBatcher((refs) => loadMailContexts(o.sql, refs), { maxInFlight: 1 });
    this.attempts = new MicroBatcher(
      async (items) => {
        await recordMailAttempts(o.sql, items);
        return items.map(() => undefined);
      },
      { maxInFlight: 1 },
    );
  }

  /** The BullMQ processor of the `mail` queue: report mails, and order summaries (`OrderSummaryMailer`). */
  async process(job: Job): Promise<MailJobResult | SummaryJobResult> {
    if (job.name === ORDER_SUMMARY_JOB_NAME) return this.summaries.process(job);
    const parsed = mailJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid mail job data: ${parsed.error.message}`);
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcomes = await Promise.all(mailJobEvents(parsed.data).map((ref) => this.send(ref, final)));
    const counts: MailJobResult = {};
    for (const { result } of outcomes) counts[result] = (counts[result] ?? 0) + 1;

    const retry = outcomes.filter((x) => x.result === 'retry');
    if (retry.length > 0) {
      if (retry.length < outcomes.length) {
        await job.updateData({ events: retry.map(({ eventId, generation }) => ({ eventId, generation })) } satisfies MailJob);
      }
      throw retry[0]!.err;
    }
    const failed = outcomes.filter((x) => x.result === 'failed');
    if (failed.length === 0) return counts;
    // Its last attempt, or nothing left but 5xx: the job ends failed, visible as such on the board.
    throw new UnrecoverableError(`${failed.length} of ${outcomes.length} mails failed: ${describeSmtpError(failed[0]!.err)}`);
  }

  /** Steps 1 to 3 for one mail; never throws for an SMTP failure (the outcome says what happened). */
  private async send(ref: EventRef, finalAttempt: boolean): Promise<MailOutcome> {
    const log = this.o.log.child({ eventId: ref.eventId, generation: ref.generation });
    const ctx = await this.contexts.load(ref);
    if (!ctx) {
      log.warn('outbox event of mail job not found; mail skipped');
      return { ...ref, result: 'missing' };
    }
    if (ctx.currentGeneration !== ref.generation) {
      log.info({ currentGeneration: ctx.currentGeneration }, 'mail of a generation requeued since; not sent');
      // Its delivery is closed, or it would stay pending for good and the reconciliation would add its job
      // again after every lease once BullMQ had trimmed the completed one.
      if (ctx.deliveryStatus === 'pending') {
        const error = `not sent: the event was requeued (generation ${ctx.currentGeneration} has its own mail)`;
        await this.attempts.load({ ...ref, status: 'failed', error, messageId: null });
      }
      return { ...ref, result: 'stale' };
    }
    if (ctx.deliveryStatus === 'sent') return { ...ref, result: 'already_sent' };
    if (!ctx.email) {
      await this.attempts.load({ ...ref, status: 'failed', error: 'account has no email', messageId: null });
      return { ...ref, result: 'no_recipient' };
    }
    const report = { ...ctx.payload, eventId: ref.eventId } as ExecutionReport;
    let messageId: string;
    try {
      messageId = await this.sending(() =>
        sendReportMail(this.o.smtp, { report, generation: ref.generation, to: ctx.email!, from: this.o.mailFrom, timeoutMs: this.o.sendTimeoutMs }),
      );
    } catch (err) {
      const permanent = isPermanentSmtpError(err);
      const final = permanent || finalAttempt;
      const error = describeSmtpError(err);
      this.o.metrics.notificationErrorsTotal.inc({ channel: 'mail' });
      log.error({ err, permanent, final }, '[OUTBOX] execution.report mail failed');
      await this.attempts.load({ ...ref, status: final ? 'failed' : 'pending', error, messageId: null });
      return { ...ref, result: final ? 'failed' : 'retry', err };
    }
    // Sent: a failure to record it now (PostgreSQL away) is not a failed mail. It throws, the job is retried,
    // and the retry sends it again (the delivery still reads pending): at least once, never counted as a failure.
    this.o.metrics.mailSentTotal.inc();
    await this.attempts.load({ ...ref, status: 'sent', error: null, messageId });
    return { ...ref, result: 'sent' };
  }
}
