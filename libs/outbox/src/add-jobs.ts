import type { JobsOptions, Queue } from 'bullmq';
import { mailJobId, outboxBatchJobName, type MailJob, type OutboxJob } from '@execn/queues';
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
        events: batch.map((e) => ({ eventId: e.eventId, generation: e.generation, type: e.type, payload: e.payload })),
      } satisfies OutboxJob,
      opts: { ...options, jobId },
    })),
  );
}

/** Adds the mail jobs of a batch of event generations in one `addBulk` (idempotent by job id). */
export async function addMailJobs(queue: Queue, refs: EventRef[], options: JobsOptions): Promise<void> {
  if (refs.length === 0) return;
  await queue.addBulk(
    refs.map((r) => ({
      name: 'execution.report.mail',
      data: { eventId: r.eventId, generation: r.generation } satisfies MailJob,
      opts: { ...options, jobId: mailJobId(r.eventId, r.generation) },
    })),
  );
}
