/**
 * What `npm run chaos` reads back at the end: the committed reports and their
 * mail deliveries from PostgreSQL, the mails from the sink; the drain (wait,
 * with no fault, until the pipeline has nothing left to do); and the rows
 * behind each finding, for the JSON.
 */
import type { Sql } from 'postgres';
import type { SmtpSink } from '@execn/testing';
import { sleep } from '../bench-common';
import type { CommittedEvent, ConsumerLog, MailDelivery, ReceivedMail } from './check';

export async function readCommitted(sql: Sql): Promise<CommittedEvent[]> {
  const rows = await sql<{ id: string; account_id: string; seq: number; status: string; t: number }[]>`
    select id::text, account_id, seq::int as seq, status,
           extract(epoch from coalesce((payload->>'transactTime')::timestamptz, created_at)) * 1000 as t
    from outbox_events where type = 'execution.report' order by id`;
  return rows.map((r) => ({ id: r.id, accountId: r.account_id, seq: r.seq, status: r.status, committedAt: Number(r.t) }));
}

export async function readMailDeliveries(sql: Sql): Promise<MailDelivery[]> {
  const rows = await sql<{ event_id: string; generation: number; status: string; last_error: string | null }[]>`
    select event_id::text, generation, status, last_error from notification_deliveries where channel = 'mail' order by event_id, generation`;
  return rows.map((r) => ({ eventId: r.event_id, generation: r.generation, status: r.status, lastError: r.last_error }));
}

/**
 * The sink's mails as (event id, generation, time), the generation read from `Message-ID:
 * <{eventId}.{generation}@…>`. The sink keeps every whole mail, which a 20-minute run cannot
 * hold (~180,000 of them): each is reduced to this as it arrives and the sink's list emptied.
 */
export class MailLog {
  readonly mails: ReceivedMail[] = [];
  readonly eventIds = new Set<string>();

  constructor(sink: SmtpSink) {
    sink.onMail((m) => {
      const eventId = String(m.headers.get('x-execution-event-id') ?? '');
      const generation = Number(/^<?\d+\.(\d+)@/.exec(String(m.messageId ?? ''))?.[1] ?? 0);
      this.mails.push({ eventId, generation, at: m.receivedAt.getTime() });
      this.eventIds.add(eventId);
      sink.mails.length = 0;
    });
  }
}

/** What is still to do, per kind; all zero means drained. */
export interface Outstanding {
  unfinishedEvents: number;
  pendingMails: number;
  /** Reports some SDK connection has not had yet. */
  behindSockets: number;
  /** Reports neither mailed nor refused with a 5xx. */
  unmailed: number;
}

/** `committedIds`: every event id, read once when the load stopped (no report is committed after). */
export async function outstanding(sql: Sql, consumers: ConsumerLog[], mailLog: MailLog, committedIds: string[]): Promise<Outstanding> {
  const [c] = await sql<{ unfinished: string; pending_mails: string }[]>`
    select (select count(*) from outbox_events where status <> 'processed')::text as unfinished,
           (select count(*) from notification_deliveries where channel = 'mail' and status = 'pending')::text as pending_mails`;
  const seqs = await sql<{ account_id: string; n: string }[]>`
    select account_id, max(seq)::text as n from outbox_events where type = 'execution.report' group by account_id`;
  const maxSeq = new Map(seqs.map((r) => [r.account_id, Number(r.n)]));
  let behind = 0;
  for (const k of consumers) behind += Math.max(0, (maxSeq.get(k.accountId) ?? 0) - (k.delivered.at(-1)?.seq ?? 0));
  const refused = await sql<{ id: string }[]>`
    select event_id::text as id from notification_deliveries
    where channel = 'mail' and status = 'failed' and last_error ~ '(^|\\D)5\\d\\d(\\D|$)'`;
  const refusedIds = new Set(refused.map((r) => r.id));
  const unmailed = committedIds.filter((id) => !mailLog.eventIds.has(id) && !refusedIds.has(id)).length;
  return { unfinishedEvents: Number(c!.unfinished), pendingMails: Number(c!.pending_mails), behindSockets: behind, unmailed };
}

/**
 * Waits until nothing is outstanding, or `timeoutMs`; prints progress every 5 s.
 * Resolves the last reading (non-zero parts are what the checks will report).
 */
export async function drain(sql: Sql, consumers: ConsumerLog[], mailLog: MailLog, timeoutMs: number, log: (line: string) => void): Promise<Outstanding> {
  const started = Date.now();
  const committedIds = (await sql<{ id: string }[]>`select id::text as id from outbox_events where type = 'execution.report'`).map((r) => r.id);
  let lastLog = 0;
  for (;;) {
    let o: Outstanding | undefined;
    try {
      o = await outstanding(sql, consumers, mailLog, committedIds);
    } catch (err) {
      log(`drain: reading the database failed (${(err as Error).message}); again`);
    }
    const done = o && Object.values(o).every((n) => n === 0);
    if (o && (done || Date.now() - lastLog >= 5_000)) {
      lastLog = Date.now();
      log(`drain +${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(o)}`);
    }
    if (done) return o!;
    if (Date.now() - started > timeoutMs) {
      log(`drain: not drained after ${timeoutMs / 1000} s; checking what there is`);
      return o ?? { unfinishedEvents: -1, pendingMails: -1, behindSockets: -1, unmailed: -1 };
    }
    await sleep(1_000);
  }
}

/** The outbox rows and deliveries of some events, as evidence in the JSON. */
export async function evidenceOf(sql: Sql, eventIds: string[]): Promise<unknown[]> {
  if (eventIds.length === 0) return [];
  return [...(await sql`
    select e.id::text, e.account_id, e.status, e.generation, e.attempts, e.last_error, e.created_at, e.enqueued_at, e.processed_at,
           e.seq::int as seq, e.job_id,
           coalesce(json_agg(json_build_object('channel', d.channel, 'generation', d.generation, 'status', d.status, 'attempts', d.attempts,
             'lastError', d.last_error, 'jobId', d.job_id, 'updatedAt', d.updated_at)) filter (where d.id is not null), '[]') as deliveries
    from outbox_events e left join notification_deliveries d on d.event_id = e.id
    where e.id = any(${eventIds}::bigint[]) group by e.id order by e.id`)];
}
