import { randomBytes } from 'node:crypto';
import type { Sql } from 'postgres';
import type { MailPreference } from '@execn/contracts';
import { sortByEventId, type EventRef } from './event-ref';

/** A claimed event: its ref, its type, what the worker needs to broadcast it, and the job that carries it. */
export interface ClaimedEvent extends EventRef {
  type: string;
  /** The report as committed: it travels in the job, so a worker broadcasts without reading PostgreSQL first. */
  payload: Record<string, unknown>;
  /** The BullMQ job id of the batch this event goes in (stored on the row for the reconciliation). */
  jobId: string;
  /** The mail preference recorded with the report (null: every_report); it travels in the job with the payload. */
  mailMode: MailPreference | null;
}

/**
 * Claims up to `limit` pending events, oldest first, marks them `enqueued`
 * and assigns them to jobs of at most `eventsPerJob` consecutive events, in
 * the same statement. `FOR UPDATE SKIP LOCKED` lets several pollers claim side
 * by side without waiting on or double-claiming each other's rows.
 *
 * One job per batch, not per event: BullMQ costs about 40 Redis commands and a
 * dozen socket writes per job whatever it carries, so the events of one claim
 * share them. The batch is what has piled up since the last claim: one event
 * when the pipe is idle (nothing waits on a timer), more under load.
 *
 * The mark comes BEFORE the jobs reach Redis on purpose: a worker may pick a
 * job up within a millisecond, and a later "mark enqueued" would then overwrite
 * its `processed`. A poller that dies between this statement and `addBulk`
 * leaves rows `enqueued` without a job; the reconciliation returns them to
 * `pending` after the lease. A job id is `evb-<first event id>-<random>`:
 * unique even when the same events are claimed again after such a reset.
 */
export async function claimPendingEvents(sql: Sql, limit: number, eventsPerJob = 1): Promise<ClaimedEvent[]> {
  const claim = randomBytes(4).toString('hex');
  const rows = await sql<
    { id: string; generation: number; type: string; payload: Record<string, unknown>; job_id: string; mail_mode: MailPreference | null }[]
  >`
    with claimed as (
      select id, (row_number() over (order by id) - 1) / ${eventsPerJob}::int as batch
      from (
        select id from outbox_events
        where status = 'pending'
        order by id
        limit ${limit}
        for update skip locked
      ) c
    ),
    batched as (
      select id, 'evb-' || min(id) over (partition by batch) || '-' || ${claim}::text as job_id from claimed
    )
    update outbox_events o
    set status = 'enqueued', enqueued_at = now(), updated_at = now(), job_id = b.job_id
    from batched b
    where o.id = b.id
    returning o.id::text as id, o.generation, o.type, o.payload, o.job_id, o.mail_mode`;
  return sortByEventId(
    rows.map((r) => ({ eventId: r.id, generation: r.generation, type: r.type, payload: r.payload, jobId: r.job_id, mailMode: r.mail_mode })),
  );
}
