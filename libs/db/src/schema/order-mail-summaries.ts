import { bigint, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const SUMMARY_STATUSES = ['pending', 'sent', 'failed'] as const;
export type SummaryStatus = (typeof SUMMARY_STATUSES)[number];

/**
 * One summary mail of one order (`order_summary` preference, CONTRACT section 7): the `n`-th of that order,
 * carrying its held reports with seq up to `throughSeq` that no earlier summary carried. Written once, when its
 * job first runs (under a per-order lock), so its number, its reports and so its Message-ID
 * `<order-{orderId}.{n}@…>` stay the same across retries, a crash or a Redis wipe.
 */
export const orderMailSummaries = pgTable(
  'order_mail_summaries',
  {
    orderId: uuid('order_id').notNull(),
    n: integer('n').notNull(),
    accountId: text('account_id').notNull(),
    throughSeq: bigint('through_seq', { mode: 'number' }).notNull(),
    /** The outbox events it carries, in seq order (its `X-Execution-Event-Ids`). */
    eventIds: bigint('event_ids', { mode: 'number' }).array().notNull(),
    /** The mail job that formed it and sends it (`orderSummaryJobId`). */
    jobId: text('job_id').notNull(),
    status: text('status', { enum: SUMMARY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    messageId: text('message_id'),
    /**
     * While a worker sends it: another run of its job (re-added after a Redis wipe while the first still sent)
     * waits until the first recorded its outcome or this passed (a worker killed mid-send), instead of sending
     * it a second time.
     */
    sendingUntil: timestamp('sending_until', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.n] }), uniqueIndex('order_mail_summaries_job_uq').on(t.jobId)],
);
