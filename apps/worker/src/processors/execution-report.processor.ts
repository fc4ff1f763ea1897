import { UnrecoverableError, type Job } from 'bullmq';
import type { DispatchResult, ExecutionReportDispatcher } from '@execn/outbox';
import { outboxJobSchema } from '@execn/queues';

/**
 * The `outbox` queue's processor: validates the job (a malformed one can never
 * succeed) and dispatches its event. Errors other than validation propagate,
 * so BullMQ retries with backoff.
 */
export function createExecutionReportProcessor(dispatcher: ExecutionReportDispatcher) {
  return async (job: Job): Promise<DispatchResult> => {
    const parsed = outboxJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid outbox job data: ${parsed.error.message}`);
    return dispatcher.dispatch(parsed.data);
  };
}
