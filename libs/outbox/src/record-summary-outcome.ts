import type { Sql } from 'postgres';

/** The outcome of one send attempt of one order summary. */
export interface SummaryOutcome {
  /** The summary's job (`order_mail_summaries.job_id`, and the job id its deliveries record). */
  jobId: string;
  /** `sent`; `pending` after a failure that will be retried; `failed` when final. */
  status: 'sent' | 'pending' | 'failed';
  error: string | null;
  /** The summary's Message-ID with its angle brackets, when sent. */
  messageId: string | null;
}

/**
 * Records an attempt on the summary and, in the same statement, on the mail delivery of every report it carries:
 * `coalesced` with the summary's Message-ID once sent (CONTRACT section 7), `failed` with the error when final,
 * else still `pending` with the error. A summary already `sent` is never downgraded.
 */
export async function recordSummaryOutcome(sql: Sql, o: SummaryOutcome): Promise<void> {
  const deliveryStatus = o.status === 'sent' ? 'coalesced' : o.status;
  await sql`
    with summary as (
      update order_mail_summaries
      set status = ${o.status}, attempts = attempts + 1, last_error = coalesce(${o.error}, last_error),
          message_id = coalesce(${o.messageId}, message_id), sending_until = null, updated_at = now()
      where job_id = ${o.jobId} and status <> 'sent'
      returning event_ids
    )
    update notification_deliveries d
    set status = ${deliveryStatus}, attempts = d.attempts + 1, last_error = coalesce(${o.error}, d.last_error),
        message_id = coalesce(${o.messageId}, d.message_id), updated_at = now()
    from summary
    where d.event_id = any(summary.event_ids) and d.channel = 'mail' and d.generation = 1
      and d.job_id = ${o.jobId} and d.status in ('pending', 'failed')`;
}
