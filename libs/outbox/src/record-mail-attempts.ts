import type { Sql } from 'postgres';
import { sortByEventId, type EventRef } from './event-ref';

/** The outcome of one send attempt of one event generation's mail. */
export interface MailAttempt extends EventRef {
  /** `sent`; `pending` after a failure that will be retried; `failed` when final. */
  status: 'sent' | 'pending' | 'failed';
  error: string | null;
  /** The Message-ID with its angle brackets, when sent. */
  messageId: string | null;
}

/**
 * Records a batch of mail attempts on their delivery rows (created when the
 * mail job ran before the outbox worker's mark): attempts + 1, status, last
 * error (kept from earlier attempts on success) and Message-ID. A delivery
 * already `sent` is never downgraded by a late or duplicate attempt.
 */
export async function recordMailAttempts(sql: Sql, attempts: MailAttempt[]): Promise<void> {
  if (attempts.length === 0) return;
  const input = JSON.stringify(
    sortByEventId(attempts).map((a) => ({
      id: a.eventId,
      gen: a.generation,
      status: a.status,
      error: a.error,
      message_id: a.messageId,
    })),
  );
  await sql`
    insert into notification_deliveries (event_id, channel, generation, status, attempts, last_error, message_id)
    select distinct on (t.id, t.gen) t.id, 'mail', t.gen, t.status, 1, t.error, t.message_id
    from (select * from jsonb_to_recordset(${input}::text::jsonb) as t(id bigint, gen int, status text, error text, message_id text)
          limit ${attempts.length}) t -- the batch size, for the planner (see refsJson)
    join outbox_events o on o.id = t.id
    -- One row per delivery (ON CONFLICT may touch a row once per statement); a success wins over a failure.
    order by t.id, t.gen, (t.status = 'sent') desc
    on conflict (event_id, channel, generation) do update
    set status = excluded.status,
        attempts = notification_deliveries.attempts + 1,
        last_error = coalesce(excluded.last_error, notification_deliveries.last_error),
        message_id = coalesce(excluded.message_id, notification_deliveries.message_id),
        updated_at = now()
    where notification_deliveries.status <> 'sent'`;
}
