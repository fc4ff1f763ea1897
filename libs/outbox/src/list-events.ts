import type { Sql, TransactionSql } from 'postgres';
import type { DeliveryStatus, OutboxStatus } from '@execn/db';
import { outboxEventColumns, toOutboxEventView, type OutboxEventRow, type OutboxEventView } from './outbox-event-view';

/** Filters and page of `listOutboxEvents` (validated at the edge; this trusts its input). */
export interface ListOutboxEventsOptions {
  status?: OutboxStatus;
  type?: string;
  /** An order uuid. */
  orderId?: string;
  /**
   * Only events with a delivery (websocket or mail) in this status at their
   * current generation: `failed` finds processed events whose mail bounced.
   */
  deliveryStatus?: DeliveryStatus;
  /** Page size, 1-1000. @default 100 */
  limit?: number;
  /** The `nextCursor` of the previous page (an event id as a decimal string). */
  cursor?: string | null;
}

/** One page of events, newest first. */
export interface OutboxEventPage {
  events: OutboxEventView[];
  /** Pass back as `cursor`; null at the end. */
  nextCursor: string | null;
}

/**
 * Outbox events newest first (id descending) with keyset pagination: a page
 * never skips or repeats an event however many rows are written meanwhile, and
 * a deep page costs what the first does. A status filter is served by the
 * `(status, id)` index, an order filter by the order index.
 */
export async function listOutboxEvents(
  sql: Sql | TransactionSql,
  options: ListOutboxEventsOptions = {},
): Promise<OutboxEventPage> {
  const limit = options.limit ?? 100;
  const conditions = [
    options.status === undefined ? sql`true` : sql`status = ${options.status}`,
    options.type === undefined ? sql`true` : sql`type = ${options.type}`,
    options.orderId === undefined ? sql`true` : sql`order_id = ${options.orderId}::uuid`,
    options.cursor == null ? sql`true` : sql`id < ${options.cursor}::bigint`,
    options.deliveryStatus === undefined ? sql`true` : hasDelivery(sql, options.deliveryStatus),
  ];
  // One row more than asked tells whether another page exists, without a count.
  const rows = await sql<OutboxEventRow[]>`
    select ${outboxEventColumns(sql)} from outbox_events
    where ${conditions[0]!} and ${conditions[1]!} and ${conditions[2]!} and ${conditions[3]!} and ${conditions[4]!}
    order by id desc
    limit ${limit + 1}`;
  const events = rows.slice(0, limit).map(toOutboxEventView);
  const nextCursor = rows.length > limit ? (events[events.length - 1]?.id ?? null) : null;
  return { events, nextCursor };
}

/**
 * `outbox_events` has a delivery in `status` at its current generation (served by the deliveries' unique index);
 * `pending` includes the mails held for their order's summary, as admins see them.
 */
export function hasDelivery(sql: Sql | TransactionSql, status: DeliveryStatus) {
  const stored = status === 'pending' ? ['pending', 'held'] : [status];
  return sql`exists (
    select 1 from notification_deliveries d
    where d.event_id = outbox_events.id and d.generation = outbox_events.generation and d.status = any(${stored}::text[]))`;
}
