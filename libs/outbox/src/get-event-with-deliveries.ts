import type { Sql, TransactionSql } from 'postgres';
import type { DeliveryChannel, DeliveryStatus, StoredDeliveryStatus } from '@execn/db';
import { isoTime, outboxEventColumns, toOutboxEventView, type OutboxEventRow, type OutboxEventView } from './outbox-event-view';

/** One notification record of an event (CONTRACT section 5): per channel and generation. */
export interface DeliveryView {
  channel: DeliveryChannel;
  generation: number;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  /** The mail's Message-ID header with its angle brackets; null for websocket or unsent. */
  messageId: string | null;
  updatedAt: string;
}

/** `GET /admin/outbox/:id`. */
export interface EventWithDeliveries {
  event: OutboxEventView;
  deliveries: DeliveryView[];
}

/**
 * One event with every delivery record of every generation, oldest generation
 * first (websocket before mail within one). Null when the event does not exist.
 */
export async function getEventWithDeliveries(
  sql: Sql | TransactionSql,
  eventId: string,
): Promise<EventWithDeliveries | null> {
  const [row] = await sql<OutboxEventRow[]>`select ${outboxEventColumns(sql)} from outbox_events where id = ${eventId}::bigint`;
  if (!row) return null;
  const deliveries = await sql<
    {
      channel: DeliveryChannel;
      generation: number;
      status: StoredDeliveryStatus;
      attempts: number;
      last_error: string | null;
      message_id: string | null;
      updated_at: string;
    }[]
  >`
    select channel, generation, status, attempts, last_error, message_id, ${isoTime(sql, 'updated_at')} as updated_at
    from notification_deliveries
    where event_id = ${eventId}::bigint
    order by generation, channel desc`;
  return {
    event: toOutboxEventView(row),
    deliveries: deliveries.map((d) => ({
      channel: d.channel,
      generation: d.generation,
      // A mail held for its order's summary is, to an admin, a mail not sent yet (CONTRACT section 5).
      status: d.status === 'held' ? 'pending' : d.status,
      attempts: d.attempts,
      lastError: d.last_error,
      messageId: d.message_id,
      updatedAt: d.updated_at,
    })),
  };
}
