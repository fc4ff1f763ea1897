import { randomBytes } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { MAIL_PREFERENCES } from '@execn/contracts';

/**
 * The one catalog of jobs: payload schema and options per queue. Producers and
 * processors both go through it, so a payload change is made in one place.
 */

/** One outbox event at one generation, as an `outbox` job carries it. */
export const outboxJobEventSchema = z.object({
  eventId: z.string().regex(/^\d+$/),
  generation: z.number().int().positive(),
  /** The event type (`execution.report`). Absent on single-event jobs, whose name is the type. */
  type: z.string().optional(),
  /**
   * The event's payload as committed (for a report: the report without its eventId), so the worker
   * broadcasts at once. Absent on jobs added before payloads travelled: the worker then reads the row.
   */
  payload: z.record(z.string(), z.unknown()).optional(),
  /**
   * The account's mail preference when the report was committed (`outbox_events.mail_mode`). Absent on jobs
   * added before preferences, and on rows written before them: `every_report`.
   */
  mailMode: z.enum(MAIL_PREFERENCES).optional(),
});
export type OutboxJobEvent = z.infer<typeof outboxJobEventSchema>;

/**
 * `outbox` queue: dispatch the events of one claim (`{events}`, named after their type when they share one,
 * else `outbox.batch`). A job added by a version before batches carries one event at the top level.
 */
export const outboxJobSchema = z.union([z.object({ events: z.array(outboxJobEventSchema).min(1) }), outboxJobEventSchema]);
export type OutboxJob = z.infer<typeof outboxJobSchema>;

/** The events of an `outbox` job, whichever shape it has; `name` is the job's name (the type of a single event). */
export function outboxJobEvents(job: OutboxJob, name: string): Array<OutboxJobEvent & { type: string }> {
  const events = 'events' in job ? job.events : [job];
  return events.map((e) => ({ ...e, type: e.type ?? name }));
}

/** The job name of a batch: the events' type when they share one. */
export const outboxBatchJobName = (types: string[]): string => (types.every((t) => t === types[0]) ? types[0]! : 'outbox.batch');

/** The name of `mail` jobs. */
export const MAIL_JOB_NAME = 'execution.report.mail';

/** One event generation whose mail a `mail` job sends. */
export const mailJobEventSchema = z.object({
  eventId: z.string().regex(/^\d+$/),
  generation: z.number().int().positive(),
});
export type MailJobEvent = z.infer<typeof mailJobEventSchema>;

/**
 * `mail` queue: send the mails of the events of one outbox job that have one to send (`{events}`). A job added
 * by a version before batches carries one event at the top level.
 */
export const mailJobSchema = z.union([z.object({ events: z.array(mailJobEventSchema).min(1) }), mailJobEventSchema]);
export type MailJob = z.infer<typeof mailJobSchema>;

/** The events of a `mail` job, whichever shape it has. */
export function mailJobEvents(job: MailJob): MailJobEvent[] {
  return 'events' in job ? job.events : [{ eventId: job.eventId, generation: job.generation }];
}

/** The name of order summary jobs (`order_summary` preference), on the `mail` queue. */
export const ORDER_SUMMARY_JOB_NAME = 'execution.report.summary';

/**
 * `mail` queue, `ORDER_SUMMARY_JOB_NAME`: form (once) and send the summary mail of one order that carries its held
 * reports up to `throughSeq` (the order's final report, or the last one before the daily cutoff).
 */
export const orderSummaryJobSchema = z.object({ orderId: z.uuid(), throughSeq: z.number().int().positive() });
export type OrderSummaryJob = z.infer<typeof orderSummaryJobSchema>;

/**
 * The id of an order summary job, derived from what it summarises: the final report's trigger, its re-add after a
 * lost job and the reconciliation's sweep all add the same job (a no-op when it exists), and the job can be
 * rebuilt from its id alone. Not a Message-ID: the summary's number `n` is given when the job first runs.
 */
export const orderSummaryJobId = (orderId: string, throughSeq: number): string => `osum-${orderId}-s${throughSeq}`;

/** The data of an order summary job from its id, or null when the id is not one. */
export function parseOrderSummaryJobId(jobId: string): OrderSummaryJob | null {
  const m = /^osum-([0-9a-f-]{36})-s(\d+)$/.exec(jobId);
  return m ? { orderId: m[1]!, throughSeq: Number(m[2]) } : null;
}

/**
 * A new id for the mail job of the events one batch of marks recorded pending (the jobs in flight together, under
 * a steady flow those of `markLingerMs`). Random: it is recorded on each delivery before the job is added, and a
 * retried outbox job adds again the id its deliveries recorded.
 */
export const newMailJobId = (): string => `mail-mb-${randomBytes(8).toString('hex')}`;

/**
 * Job ids are derived from the event id and generation, so enqueuing the same
 * event twice (two pollers, a reconciliation race) adds one job, and a requeue
 * (generation + 1) adds a new one. BullMQ ids must not be plain integers.
 */
export const outboxJobId = (eventId: string, generation: number): string => `ev-${eventId}-g${generation}`;
/** The id of a single-event mail job (the reconciliation's, and those added before mail jobs carried batches). */
export const mailJobId = (eventId: string, generation: number): string => `mail-${eventId}-g${generation}`;

/**
 * How many finished jobs each queue keeps in Redis, and for how long (seconds): PostgreSQL keeps the history, so
 * Redis keeps only what Bull Board and the reconciliation look at. Completed jobs: the last 1,000, at most an hour
 * (the reconciliation needs them for one lease at most). Failed jobs: the last 5,000, at most 7 days (an operator
 * sees and retries them in Bull Board; the event's failure is recorded in PostgreSQL before that). BullMQ trims
 * by age only when another job of the queue finishes, so an idle queue keeps its last ones longer.
 */
export const FINISHED_JOBS_KEPT = {
  removeOnComplete: { age: 3_600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3_600, count: 5_000 },
} as const satisfies Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'>;

/** Options for outbox jobs. Finished jobs are trimmed (`FINISHED_JOBS_KEPT`). */
export function outboxJobOptions(attempts: number): JobsOptions {
  return {
    attempts,
    backoff: { type: 'exponential', delay: 500 },
    ...FINISHED_JOBS_KEPT,
  };
}

/** Options for mail jobs: exponential backoff from `backoffMs`, jittered so a recovered SMTP server is not stampeded. */
export function mailJobOptions(attempts: number, backoffMs: number): JobsOptions {
  return {
    attempts,
    backoff: { type: 'exponential', delay: backoffMs, jitter: 0.2 },
    ...FINISHED_JOBS_KEPT,
  };
}
