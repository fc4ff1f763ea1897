import type { JobsOptions, Queue } from 'bullmq';
import {
  MAIL_JOB_NAME,
  ORDER_SUMMARY_JOB_NAME,
  outboxBatchJobName,
  parseOrderSummaryJobId,
  type MailJob,
  type OrderSummaryJob,
  type OutboxJob,
} from '@execn/queues';
import type { ClaimedEvent } from './claim-pending-events';
import type { EventRef } from './event-ref';

/**
 * Adds the outbox jobs of a claim in one `addBulk`: one job per batch the claim
 * assigned (`jobId`), carrying its events with their payloads.
 */
export async function addOutboxJobs(queue: Queue, events: ClaimedEvent[], options: JobsOptions): Promise<void> {
  if (events.length === 0) return;
  const batches = new Map<string, ClaimedEvent[]>();
  for (const e of events) batches.set(e.jobId, [...(batches.get(e.jobId) ?? []), e]);
  await queue.addBulk(
    [...batches].map(([jobId, batch]) => ({
      name: outboxBatchJobName(batch.map((e) => e.type)),
      data: {
        events: batch.map((e) => ({
          eventId: e.eventId,
          generation: e.generation,
          type: e.type,
          payload: e.payload,
          // The default travels as its absence: a job of an every_report account is no bigger than before.
          ...(e.mailMode && e.mailMode !== 'every_report' ? { mailMode: e.mailMode } : {}),
        })),
      } satisfies OutboxJob,
      opts: { ...options, jobId },
    })),
  );
}

/** A mail job to add: its id and the event generations whose mails it sends. */
export interface MailJobSpec {
  jobId: string;
  refs: EventRef[];
}

/**
 * Adds mail jobs in one `addBulk`, idempotent by job id: a job already in the queue (waiting, delayed, active,
 * or kept after it ended) is left as it is. An order summary's job (`orderSummaryJobId`) is rebuilt from its id,
 * whatever refs came with it: its reports are the order's, read when it runs.
 */
export async function addMailJobs(queue: Queue, jobs: MailJobSpec[], options: JobsOptions): Promise<void> {
  if (jobs.length === 0) return;
  await queue.addBulk(
    jobs.map(({ jobId, refs }) => {
      const summary = parseOrderSummaryJobId(jobId);
      if (summary) return { name: ORDER_SUMMARY_JOB_NAME, data: summary satisfies OrderSummaryJob, opts: { ...options, jobId } };
      return {
        name: MAIL_JOB_NAME,
        data: { events: refs.map((r) => ({ eventId: r.eventId, generation: r.generation })) } satisfies MailJob,
        opts: { ...options, jobId },
      };
    }),
  );
}

/** Groups event generations by the mail job that carries them (`jobIdOf`), in first-seen order. */
export function groupMailJobs<T extends EventRef>(items: T[], jobIdOf: (item: T) => string): MailJobSpec[] {
  const groups = new Map<string, EventRef[]>();
  for (const item of items) {
    const jobId = jobIdOf(item);
    groups.set(jobId, [...(groups.get(jobId) ?? []), { eventId: item.eventId, generation: item.generation }]);
  }
  return [...groups].map(([jobId, refs]) => ({ jobId, refs }));
}
