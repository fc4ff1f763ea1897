import type { Sql, TransactionSql } from 'postgres';
import type { OutboxStatus } from '@execn/db';

/**
 * An outbox event as the admin API shows it (CONTRACT section 5): ids as
 * strings, times as ISO 8601, and the payload with its `eventId` (the row id),
 * exactly as traders receive it.
 */
export interface OutboxEventView {
  id: string;
  type: string;
  orderId: string | null;
  accountId: string;
  status: OutboxStatus;
  generation: number;
  attempts: number;
  payload: Record<string, unknown>;
  lastError: string | null;
  createdAt: string;
  enqueuedAt: string | null;
  processedAt: string | null;
}

/**
 * An `outbox_events` row as selected by `outboxEventColumns`. Times are
 * formatted by PostgreSQL: the drizzle client switches postgres.js's timestamp
 * parsers to raw strings, so a JS Date is never guaranteed here.
 */
export interface OutboxEventRow {
  id: string;
  type: string;
  order_id: string | null;
  account_id: string;
  status: OutboxStatus;
  generation: number;
  attempts: number;
  payload: Record<string, unknown>;
  last_error: string | null;
  created_at: string;
  enqueued_at: string | null;
  processed_at: string | null;
}

/** ISO 8601 in UTC with milliseconds, as every time in the API. */
export const isoTime = (sql: Sql | TransactionSql, column: string) =>
  sql`to_char(${sql(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The select list of an `OutboxEventRow` (for `select` and `returning`). */
export function outboxEventColumns(sql: Sql | TransactionSql) {
  return sql`id::text as id, type, order_id, account_id, status, generation, attempts, payload, last_error,
    ${isoTime(sql, 'created_at')} as created_at, ${isoTime(sql, 'enqueued_at')} as enqueued_at,
    ${isoTime(sql, 'processed_at')} as processed_at`;
}

/** Maps a stored row to the API shape. */
export function toOutboxEventView(row: OutboxEventRow): OutboxEventView {
  return {
    id: row.id,
    type: row.type,
    orderId: row.order_id,
    accountId: row.account_id,
    status: row.status,
    generation: row.generation,
    attempts: row.attempts,
    // The stored payload has no eventId (the id is only known after the insert).
    payload: { eventId: row.id, ...row.payload },
    lastError: row.last_error,
    createdAt: row.created_at,
    enqueuedAt: row.enqueued_at,
    processedAt: row.processed_at,
  };
}
