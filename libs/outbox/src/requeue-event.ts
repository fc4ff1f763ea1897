import type { Sql, TransactionSql } from 'postgres';
import { DomainError } from '@execn/contracts';
import { OUTBOX_NOTIFY_CHANNEL } from '@execn/db';
import { outboxEventColumns, toOutboxEventView, type OutboxEventRow, type OutboxEventView } from './outbox-event-view';

/**
 * Sends one event again: a `processed` or `failed` row goes back to `pending`
 * with `generation + 1`, attempts reset and the last error cleared. The relay
 * enqueues it as a new job (job ids carry the generation) and the worker
 * broadcasts and mails it again, the mail with the new Message-ID
 * `<{eventId}.{generation}@…>`. Deliveries of earlier generations are kept.
 *
 * One conditional UPDATE decides, so two concurrent requeues cannot both win:
 * the loser sees the row `pending` and gets the 409. Run it in the transaction
 * that writes the audit entry; the relay is woken at commit.
 *
 * @throws DomainError `not_found` for an unknown id; `conflict` (`already_queued`)
 *   while the event is pending, enqueued or processing.
 */
export async function requeueEvent(tx: Sql | TransactionSql, eventId: string): Promise<OutboxEventView> {
  const [row] = await tx<OutboxEventRow[]>`
    update outbox_events
    set status = 'pending', generation = generation + 1, attempts = 0, last_error = null,
        enqueued_at = null, processed_at = null, updated_at = now()
    where id = ${eventId}::bigint and status in ('processed', 'failed')
    returning ${outboxEventColumns(tx)}`;
  if (row) {
    await tx`select pg_notify(${OUTBOX_NOTIFY_CHANNEL}, '')`;
    return toOutboxEventView(row);
  }
  const [current] = await tx<{ status: string }[]>`select status from outbox_events where id = ${eventId}::bigint`;
  if (!current) throw new DomainError('not_found', 'not_found', `outbox event ${eventId} not found`);
  throw new DomainError('conflict', 'already_queued', `outbox event ${eventId} is ${current.status}; it will be dispatched anyway`, {
    status: current.status,
  });
}
