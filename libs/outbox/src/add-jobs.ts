import type { JobsOptions, Queue } from 'bullmq';
import { mailJobId, outboxJobId, type MailJob, type OutboxJob } from '@execn/queues';
import type { ClaimedEvent } from './claim-pending-events';
import type { EventRef } from './event-ref';

/**
 * Adds one outbox job per claimed event, with its report, in one `addBulk`. The job id derives
 * from the event id and generation, so adding an event that already has its
 * job (two pollers, a reconciliation race) is a no-op in Redis.
 */
export async function addOutboxJobs(queue: Queue, events: ClaimedEvent[], options: JobsOptions): Promise<void> {
  if (events.length === 0) return;
  await queue.addBulk(
    events.map((e) => ({
      name: e.type,
      data: { eventId: e.eventId, generation: e.generation, payload: e.payload } satisfies OutboxJob,
      opts: { ...options, jobId: outboxJobId(e.eventId, e.generation) },
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
