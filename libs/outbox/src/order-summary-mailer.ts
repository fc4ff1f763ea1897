import { UnrecoverableError, type Job } from 'bullmq';
import type pLimit from 'p-limit';
import type { Sql } from 'postgres';
import type { Logger } from 'pino';
import { describeSmtpError, isPermanentSmtpError, sendOrderSummaryMail, type SmtpPool } from '@execn/notifications';
import type { WorkerMetrics } from '@execn/observability';
import { orderSummaryJobSchema } from '@execn/queues';
import { formOrderSummary } from './form-order-summary';
import { recordSummaryOutcome } from './record-summary-outcome';

/** Dependencies of `OrderSummaryMailer`: those of the mail worker, with its limit on sends at once. */
export interface OrderSummaryMailerOptions {
  sql: Sql;
  smtp: SmtpPool;
  mailFrom: string;
  sendTimeoutMs: number;
  sending: pLimit.Limit;
  metrics: WorkerMetrics;
  log: Logger;
}

/** How a summary job ended (its BullMQ return value). */
export type SummaryJobResult = { sent: 1 } | { already_sent: 1 } | { nothing_to_send: 1 } | { no_recipient: 1 };

/**
 * The life of one order summary job (`ORDER_SUMMARY_JOB_NAME` on the `mail` queue), added when a report makes its
 * order final under `order_summary`, or by the reconciliation (a lost job, the daily cutoff):
 *
 * 1. `formOrderSummary` numbers the summary and fixes its reports the first time, and finds that same summary on
 *    every later run: a retry, a redelivery or a re-add sends the same mail with the same Message-ID.
 * 2. A summary already `sent` is acknowledged without sending (its deliveries were recorded in the same statement).
 * 3. The mail goes through the worker's SMTP pool and send limit, like a report mail, under the summary's send
 *    lease: another run of the same job meanwhile (re-added after a Redis wipe) retries instead of sending twice.
 * 4. Sent: the summary is `sent` and every report it carries `coalesced` with its Message-ID, in one statement.
 *    Connection errors, timeouts and 4xx are retried by BullMQ with the mail backoff (the attempt recorded); a 5xx,
 *    or the last attempt, is final: the summary and its reports' deliveries are `failed` (`UnrecoverableError`).
 *    A failed summary retried from Bull Board is sent again: an operator asked for it.
 */
export class OrderSummaryMailer {
  constructor(private readonly o: OrderSummaryMailerOptions) {}

  async process(job: Job): Promise<SummaryJobResult> {
    const parsed = orderSummaryJobSchema.safeParse(job.data);
    if (!parsed.success || !job.id) throw new UnrecoverableError(`invalid order summary job: ${parsed.error?.message ?? 'no id'}`);
    const jobId = job.id;
    const log = this.o.log.child({ jobId, orderId: parsed.data.orderId });
    // Formed and sent inside one send slot: the send lease it takes then covers the send, not a wait for a slot.
    const outcome = await this.o.sending(async (): Promise<SummaryJobResult | { messageId: string; n: number; reports: number }> => {
      const summary = await formOrderSummary(this.o.sql, parsed.data, jobId, this.o.sendTimeoutMs + 5_000);
      if (!summary) {
        log.info('order summary has nothing left to carry (an earlier summary carried it)');
        return { nothing_to_send: 1 };
      }
      if (summary.status === 'sent') return { already_sent: 1 };
      // Another run of this job is sending it (re-added after a Redis wipe): retried once that one recorded it.
      if (summary.status === 'sending') throw new Error('order summary being sent by another run of its job');
      if (!summary.email) {
        await recordSummaryOutcome(this.o.sql, { jobId, status: 'failed', error: 'account has no email', messageId: null });
        return { no_recipient: 1 };
      }
      const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      try {
        const messageId = await sendOrderSummaryMail(this.o.smtp, { summary, to: summary.email, from: this.o.mailFrom, timeoutMs: this.o.sendTimeoutMs });
        return { messageId, n: summary.n, reports: summary.reports.length };
      } catch (err) {
        const permanent = isPermanentSmtpError(err);
        const final = permanent || finalAttempt;
        const error = describeSmtpError(err);
        this.o.metrics.notificationErrorsTotal.inc({ channel: 'mail' });
        log.error({ err, permanent, final, n: summary.n }, '[OUTBOX] order summary mail failed');
        await recordSummaryOutcome(this.o.sql, { jobId, status: final ? 'failed' : 'pending', error, messageId: null });
        throw final ? new UnrecoverableError(`order summary mail failed: ${error}`) : err;
      }
    });
    if (!('messageId' in outcome)) return outcome;
    const { messageId } = outcome;
    // Sent: a failure to record it (PostgreSQL away) throws, and the retry sends the same mail again (at least once).
    this.o.metrics.mailSentTotal.inc();
    await recordSummaryOutcome(this.o.sql, { jobId, status: 'sent', error: null, messageId });
    log.info({ n: outcome.n, reports: outcome.reports, messageId }, 'order summary mailed');
    return { sent: 1 };
  }
}
