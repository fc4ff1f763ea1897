import { sql } from 'drizzle-orm';
import { MAIL_PREFERENCES } from '@execn/contracts';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/** Outbox event statuses. `failed` is final until an admin requeues it. */
export const OUTBOX_STATUSES = ['pending', 'enqueued', 'processing', 'processed', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * The transactional outbox and the source of truth for notifications. Each
 * `execution.report` row also carries its account's `seq`, which makes this
 * table the replay log for `resume` and `GET /v1/execution-reports`.
 * `order_id` has no foreign key on purpose: an event whose order is gone is
 * still dispatched (and logged).
 */
export const outboxEvents = pgTable(
  'outbox_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    type: text('type').notNull(),
    orderId: uuid('order_id'),
    accountId: text('account_id').notNull(),
    seq: bigint('seq', { mode: 'number' }),
    status: text('status', { enum: OUTBOX_STATUSES }).notNull().default('pending'),
    generation: integer('generation').notNull().default(1),
    attempts: integer('attempts').notNull().default(0),
    payload: jsonb('payload').notNull(),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true, precision: 3 }),
    processedAt: timestamp('processed_at', { withTimezone: true, precision: 3 }),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /**
     * The BullMQ job that carries this event (one job carries the events of one claim, up to a bound), set by
     * the claim; the reconciliation checks that job. Null on rows claimed before jobs carried batches.
     */
    jobId: text('job_id'),
    /**
     * The account's mail preference when the report was committed (written by the order transaction), so the
     * worker decides its mail without reading the account. Null on rows written before preferences: every_report.
     */
    mailMode: text('mail_mode', { enum: MAIL_PREFERENCES }),
  },
  (t) => [
    // The relay's claim: pending rows oldest first.
    index('outbox_events_pending_idx').on(t.id).where(sql`status = 'pending'`),
    // Reconciliation: rows in flight for longer than a lease.
    index('outbox_events_inflight_idx').on(t.updatedAt).where(sql`status in ('enqueued', 'processing')`),
    uniqueIndex('outbox_events_account_seq_uq').on(t.accountId, t.seq),
    index('outbox_events_order_idx').on(t.orderId),
    index('outbox_events_status_id_idx').on(t.status, t.id),
    index('outbox_events_created_at_idx').on(t.createdAt),
  ],
);
