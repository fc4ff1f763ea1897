import type { Sql } from 'postgres';
import { EXECUTION_REPORT_EVENT, type ExecutionReport, type MailPreference } from '@execn/contracts';
import type { SummaryStatus } from '@execn/db';
import type { OrderSummaryJob } from '@execn/queues';
import { decideReportMail, isHeldForSummary } from './decide-report-mail';

/** One order summary as its job sends it. */
export interface FormedSummary {
  orderId: string;
  n: number;
  /** The reports it carries, in seq order, with their event ids. */
  reports: ExecutionReport[];
  /** Its status, or `sending`: another run of its job holds its send lease (see `sendingUntil`). */
  status: SummaryStatus | 'sending';
  /** The account's email (null when the account is gone). */
  email: string | null;
}

/**
 * Forms an order's summary for its job, once: the first run numbers it (`n`, the order's summaries so far + 1) and
 * fixes what it carries, namely the order's reports with seq in (the previous summary's `throughSeq`, this job's]
 * that `decideReportMail` holds (at generation 1: a requeued report is mailed on its own, its first generation
 * still belongs here), and moves their mail deliveries from `held` to `pending` in this job. Every later run (a
 * retry, a redelivery, a re-add after a Redis wipe) finds that summary by its job id and sends exactly it, so
 * its Message-ID never changes. Null when the job has nothing to carry (an earlier summary carried it all).
 *
 * The reports are read from `outbox_events`, not from their deliveries: a report of the order not yet marked by
 * its outbox job (jobs run concurrently) is committed all the same, since seqs are given in commit order under
 * the account's lock; its delivery is written here, `pending`, and its own mark leaves it so.
 *
 * The run that goes on to send takes the summary's send lease for `leaseMs` (its send deadline and then some):
 * a second run of the same job meanwhile (re-added after a Redis wipe while the first still sent) gets
 * `sending` and retries later, by when the first has recorded `sent`. Only a run that died mid-send (its lease
 * runs out) leaves the mail to be sent again, with the same Message-ID.
 *
 * One transaction under a per-order advisory lock, so a final report's job and the daily sweep's never number
 * two summaries alike or carry a report twice.
 */
export async function formOrderSummary(sql: Sql, job: OrderSummaryJob, jobId: string, leaseMs: number): Promise<FormedSummary | null> {
  const lease = leaseMs / 1000;
  const formed = await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtextextended(${`order-summary:${job.orderId}`}, 0))`;
    const [existing] = await tx<{ n: number; event_ids: string[]; status: SummaryStatus; account_id: string; sending: boolean }[]>`
      select n, event_ids::text[] as event_ids, status, account_id, coalesce(sending_until > now(), false) as sending
      from order_mail_summaries where job_id = ${jobId}`;
    if (existing) {
      const found = { n: existing.n, eventIds: existing.event_ids, accountId: existing.account_id };
      if (existing.status === 'sent') return { ...found, status: existing.status };
      if (existing.sending) return { ...found, status: 'sending' as const };
      await tx`update order_mail_summaries set sending_until = now() + make_interval(secs => ${lease}) where job_id = ${jobId}`;
      return { ...found, status: existing.status };
    }

    const [prev] = await tx<{ n: number; through_seq: string }[]>`
      select coalesce(max(n), 0)::int as n, coalesce(max(through_seq), 0)::text as through_seq
      from order_mail_summaries where order_id = ${job.orderId}::uuid`;
    if (Number(prev!.through_seq) >= job.throughSeq) return null;
    const candidates = await tx<{ id: string; account_id: string; mail_mode: MailPreference | null; payload: Record<string, unknown> }[]>`
      select id::text as id, account_id, mail_mode, payload from outbox_events
      where order_id = ${job.orderId}::uuid and type = ${EXECUTION_REPORT_EVENT}
        and seq > ${prev!.through_seq}::bigint and seq <= ${job.throughSeq}
      order by seq`;
    const carried = candidates.filter((c) => isHeldForSummary(decideReportMail(c.payload, c.mail_mode, 1)));
    if (carried.length === 0) return null;
    const n = prev!.n + 1;
    const eventIds = carried.map((c) => c.id);
    const accountId = carried[0]!.account_id;
    await tx`
      insert into order_mail_summaries (order_id, n, account_id, through_seq, event_ids, job_id, sending_until)
      values (${job.orderId}::uuid, ${n}, ${accountId}, ${job.throughSeq}, ${eventIds}::bigint[], ${jobId},
              now() + make_interval(secs => ${lease}))`;
    await tx`
      insert into notification_deliveries (event_id, channel, generation, status, job_id)
      select id, 'mail', 1, 'pending', ${jobId} from unnest(${eventIds}::bigint[]) as id
      on conflict (event_id, channel, generation) do update
      set status = 'pending', job_id = excluded.job_id, updated_at = now()
      where notification_deliveries.status = 'held'`;
    return { n, eventIds, status: 'pending' as const, accountId };
  });
  if (!formed) return null;

  const rows = await sql<{ id: string; payload: Record<string, unknown> }[]>`
    select id::text as id, payload from outbox_events where id = any(${formed.eventIds}::bigint[]) order by seq`;
  const [account] = await sql<{ email: string | null }[]>`select email from accounts where id = ${formed.accountId}`;
  return {
    orderId: job.orderId,
    n: formed.n,
    reports: rows.map((r) => ({ ...r.payload, eventId: r.id }) as ExecutionReport),
    status: formed.status,
    email: account?.email ?? null,
  };
}
