import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { outboxEvents } from './outbox-events';

export const DELIVERY_CHANNELS = ['websocket', 'mail'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
/** Delivery statuses as admins see them (CONTRACT section 5). */
export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'coalesced', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/**
 * As stored: also `held`, a report mail waiting for its order's summary (`order_summary`), which admins see as
 * `pending`. A status of its own, so the reconciliation's pending-mail scan (and its index) never meets the held
 * mails, which have no job until their summary is formed.
 */
export const STORED_DELIVERY_STATUSES = [...DELIVERY_STATUSES, 'held'] as const;
export type StoredDeliveryStatus = (typeof STORED_DELIVERY_STATUSES)[number];

/** One row per event, channel and generation: the outcome of that notification. */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => outboxEvents.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: DELIVERY_CHANNELS }).notNull(),
    generation: integer('generation').notNull(),
    status: text('status', { enum: STORED_DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    messageId: text('message_id'),
    /**
     * The mail job that carries this delivery (a mail job carries the pending mails of one outbox job), so a
     * retried outbox job re-adds the same job and the reconciliation checks the right one. Null on websocket
     * deliveries and on mail deliveries recorded before mail jobs carried batches (their id is `mailJobId`).
     */
    jobId: text('job_id'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('notification_deliveries_event_channel_gen_uq').on(t.eventId, t.channel, t.generation),
    // The reconciliation's scan for mails whose job may have vanished: only the few pending ones.
    index('notification_deliveries_pending_mail_idx')
      .on(t.eventId, t.generation)
      .where(sql`channel = 'mail' and status = 'pending'`),
    // The reconciliation's scan for held mails whose summary is due (order final, or the daily cutoff passed).
    index('notification_deliveries_held_mail_idx').on(t.eventId).where(sql`channel = 'mail' and status = 'held'`),
  ],
);
