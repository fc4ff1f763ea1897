import type { Sql } from 'postgres';
import { EXECUTION_REPORT_EVENT } from '@execn/contracts';
import { sortByEventId, type EventRef } from './event-ref';

/** What happened to one event's broadcast, recorded when it is marked processed. */
export interface DispatchOutcome extends EventRef {
  /** The broadcast's outcome; undefined when the event has no websocket channel. */
  websocket?: { status: 'sent' | 'failed'; error: string | null };
  /** The mail job that is to carry the event's mail (one per batch of marks: `newMailJobId`). */
  mailJobId: string;
  /**
   * How its mail delivery is recorded (`decideReportMail`): `pending` in `mailJobId` (mailed now), `held` for its
   * order's summary (no job yet), `skipped` (the preference is `none`). @default 'pending'
   */
  mailStatus?: 'pending' | 'held' | 'skipped';
}

/** Per input: what the statement found and did. */
export interface CompletedDispatch {
  /** `processed`: marked by this call; `duplicate`: already processed; `stale`: requeued since (another generation); `missing`: no such row. */
  result: 'processed' | 'duplicate' | 'stale' | 'missing';
  /** The event's mail delivery of this generation is `pending`: its mail job must be (or may already be) added. */
  mailPending: boolean;
  /**
   * The mail job of that pending delivery: the one recorded when it was first marked (a retried outbox job
   * re-adds that same job), or, for a delivery recorded before mail jobs carried batches, `mailJobId`.
   */
  mailJobId: string | null;
  /** The event is a report whose account has no email (or is gone): no mail. */
  noRecipient: boolean;
  /** The event is a report whose order row is gone (it is still dispatched). */
  orderMissing: boolean;
  /** Commit → processed in seconds, when this call marked it. */
  dispatchSeconds: number | null;
}

/**
 * Marks a batch of events `processed` (processed_at, attempts + 1) where the
 * generation still matches, records their websocket delivery, and records the
 * mail delivery `pending` of each report whose account has an email, with the
 * mail job that is to carry it (or `held` for its order's summary, or `skipped`), all in one statement. The caller adds the mail jobs after it: a crash in between
 * leaves a pending mail delivery without a job, which the reconciliation finds
 * and enqueues after the lease.
 *
 * There is no `processing` write before it (CONTRACT section 5 makes that
 * status optional): a row goes from `enqueued` to `processed` in one version.
 */
export async function completeEventDispatch(sql: Sql, outcomes: DispatchOutcome[]): Promise<CompletedDispatch[]> {
  if (outcomes.length === 0) return [];
  const input = JSON.stringify(
    sortByEventId(outcomes).map((o) => ({
      id: o.eventId,
      gen: o.generation,
      ws_status: o.websocket?.status ?? null,
      ws_error: o.websocket?.error ?? null,
      mail_job: o.mailJobId,
      mail_status: o.mailStatus ?? 'pending',
    })),
  );
  const rows = await sql<
    {
      id: string;
      gen: number;
      current_generation: number | null;
      processed_now: boolean;
      mail_pending: boolean;
      mail_job_id: string | null;
      no_recipient: boolean;
      order_missing: boolean;
      seconds: number | null;
    }[]
  >`
    with t as (
      -- The same event can be in one batch twice (a job re-added after a Redis wipe while the old one still ran);
      -- ON CONFLICT may touch a row once per statement.
      -- The LIMIT is the batch size, for the planner (see refsJson).
      select distinct on (id, gen) * from (
        select * from jsonb_to_recordset(${input}::text::jsonb) as t(id bigint, gen int, ws_status text, ws_error text, mail_job text, mail_status text)
        limit ${outcomes.length}) t
      order by id, gen, ws_status desc nulls last
    ),
    done as (
      update outbox_events o
      set status = 'processed', processed_at = now(), attempts = o.attempts + 1, last_error = null, updated_at = now()
      from t
      where o.id = t.id and o.generation = t.gen and o.status <> 'processed'
      returning o.id, o.generation, o.type, o.account_id, o.order_id,
                extract(epoch from (now() - o.created_at))::float8 as seconds
    ),
    ws as (
      insert into notification_deliveries (event_id, channel, generation, status, attempts, last_error)
      select t.id, 'websocket', t.gen, t.ws_status, 1, t.ws_error
      from t join outbox_events o on o.id = t.id and o.generation = t.gen
      where t.ws_status is not null
      on conflict (event_id, channel, generation) do update
      set status = excluded.status, attempts = notification_deliveries.attempts + 1,
          last_error = excluded.last_error, updated_at = now()
    ),
    -- A held mail's delivery may already be there, written pending by its order's summary when that formed
    -- before this event was marked: it is left as it is (and reads pending below, so its job is re-added).
    mail as (
      insert into notification_deliveries (event_id, channel, generation, status, job_id)
      select done.id, 'mail', done.generation, t.mail_status, case when t.mail_status = 'pending' then t.mail_job end
      from done join t on t.id = done.id and t.gen = done.generation
      join accounts a on a.id = done.account_id
      where done.type = ${EXECUTION_REPORT_EVENT} and a.email is not null
      on conflict (event_id, channel, generation) do nothing
      returning event_id, generation, job_id, status
    )
    select t.id::text as id, t.gen, o.generation as current_generation,
           (done.id is not null) as processed_now,
           coalesce(mail.status = 'pending', d.status = 'pending', false) as mail_pending,
           coalesce(mail.job_id, d.job_id) as mail_job_id,
           (done.id is not null and done.type = ${EXECUTION_REPORT_EVENT} and a.email is null) as no_recipient,
           (done.id is not null and done.type = ${EXECUTION_REPORT_EVENT} and done.order_id is not null and ord.id is null) as order_missing,
           done.seconds
    from t
    left join outbox_events o on o.id = t.id
    left join done on done.id = t.id and done.generation = t.gen
    left join mail on mail.event_id = t.id and mail.generation = t.gen
    -- LATERAL with LIMIT (which keeps the planner from flattening it into a join): one probe of the unique index
    -- per event. As a join, a generic plan made while the table was small hashes a sequential scan of it, and
    -- keeps doing so as it grows (seen: ~500 rows read per report).
    left join lateral (select status, job_id from notification_deliveries
                       where event_id = t.id and channel = 'mail' and generation = t.gen limit 1) d on true
    left join accounts a on a.id = done.account_id
    left join orders ord on ord.id = done.order_id`;
  const byKey = new Map(rows.map((r) => [`${r.id}:${r.gen}`, r]));
  return outcomes.map((o) => {
    const r = byKey.get(`${o.eventId}:${o.generation}`);
    const result: CompletedDispatch['result'] =
      !r || r.current_generation === null ? 'missing' : r.processed_now ? 'processed' : r.current_generation !== o.generation ? 'stale' : 'duplicate';
    return {
      result,
      mailPending: result !== 'missing' && result !== 'stale' && !!r?.mail_pending,
      mailJobId: r?.mail_job_id ?? null,
      noRecipient: !!r?.no_recipient,
      orderMissing: !!r?.order_missing,
      dispatchSeconds: r?.seconds ?? null,
    };
  });
}
