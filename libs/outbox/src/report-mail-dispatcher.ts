import { UnrecoverableError } from 'bullmq';
import type { Sql } from 'postgres';
import type { Logger } from 'pino';
import type { ExecutionReport } from '@execn/contracts';
import { describeSmtpError, isPermanentSmtpError, sendReportMail, type SmtpPool } from '@execn/notifications';
import type { Metrics } from '@execn/observability';
import type { EventRef } from './event-ref';
import { loadMailContexts, type MailContext } from './load-mail-contexts';
import { MicroBatcher } from './micro-batcher';
import { recordMailAttempts, type MailAttempt } from './record-mail-attempts';

/** Dependencies of `ReportMailDispatcher`. */
export interface ReportMailDispatcherOptions {
  sql: Sql;
  smtp: SmtpPool;
  mailFrom: string;
  /** Upper bound on one send (see `sendReportMail`). */
  sendTimeoutMs: number;
  metrics: Metrics;
  log: Logger;
}

/** Which attempt of its job this is (BullMQ's `attemptsMade` before it, and `opts.attempts`). */
export interface AttemptInfo {
  attemptsMade: number;
  maxAttempts: number;
}

/** How a mail job ended. */
export type MailResult = 'sent' | 'already_sent' | 'no_recipient' | 'missing';

/**
 * The `mail` job: send one event generation's mail, unless its delivery is
 * already `sent` (a redelivered job). A `failed` delivery is tried again when
 * its job is (a retry from Bull Board): an operator asked for it. Every attempt is recorded on the
 * delivery row. Connection errors, timeouts and 4xx replies throw (BullMQ
 * retries with backoff); a 5xx is final (`UnrecoverableError`).
 */
export class ReportMailDispatcher {
  private readonly contexts: MicroBatcher<EventRef, MailContext | null>;
  private readonly attempts: MicroBatcher<MailAttempt, undefined>;

  constructor(private readonly o: ReportMailDispatcherOptions) {
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

  async send(ref: EventRef, attempt: AttemptInfo): Promise<MailResult> {
    const log = this.o.log.child({ eventId: ref.eventId, generation: ref.generation });
    const ctx = await this.contexts.load(ref);
    if (!ctx) {
      log.warn('outbox event of mail job not found; job acknowledged');
      return 'missing';
    }
    if (ctx.deliveryStatus === 'sent') return 'already_sent';
    if (!ctx.email) {
      await this.attempts.load({ ...ref, status: 'failed', error: 'account has no email', messageId: null });
      return 'no_recipient';
    }
    const report = { ...ctx.payload, eventId: ref.eventId } as ExecutionReport;
    let messageId: string;
    try {
      messageId = await sendReportMail(this.o.smtp, {
        report,
        generation: ref.generation,
        to: ctx.email,
        from: this.o.mailFrom,
        timeoutMs: this.o.sendTimeoutMs,
      });
    } catch (err) {
      const permanent = isPermanentSmtpError(err);
      const final = permanent || attempt.attemptsMade + 1 >= attempt.maxAttempts;
      const error = describeSmtpError(err);
      this.o.metrics.notificationErrorsTotal.inc({ channel: 'mail' });
      log.error({ err, permanent, final, attempt: attempt.attemptsMade + 1 }, '[OUTBOX] execution.report mail failed');
      await this.attempts.load({ ...ref, status: final ? 'failed' : 'pending', error, messageId: null });
      throw permanent ? new UnrecoverableError(error) : err;
    }
    this.o.metrics.mailSentTotal.inc();
    await this.attempts.load({ ...ref, status: 'sent', error: null, messageId });
    return 'sent';
  }
}
