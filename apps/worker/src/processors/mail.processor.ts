import { UnrecoverableError, type Job } from 'bullmq';
import type { MailResult, ReportMailDispatcher } from '@execn/outbox';
import { mailJobSchema } from '@execn/queues';

/** The `mail` queue's processor: validates the job, then sends (or skips) its mail. */
export function createMailProcessor(dispatcher: ReportMailDispatcher) {
  return async (job: Job): Promise<MailResult> => {
    const parsed = mailJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid mail job data: ${parsed.error.message}`);
    return dispatcher.send(parsed.data, { attemptsMade: job.attemptsMade, maxAttempts: job.opts.attempts ?? 1 });
  };
}
