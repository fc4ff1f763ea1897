import { DELIVERY_STATUSES, OUTBOX_STATUSES } from '@execn/db';
import { z } from 'zod';
import { cursorParam, int8String, limitParam } from './query.schemas';

/** An outbox event id in a path: a positive int8 as decimal digits (else 400 `validation_error` on `id`). */
export const eventIdParamsSchema = z.object({
  id: int8String('expected a positive integer event id').refine((v) => !/^0+$/.test(v), {
    message: 'expected a positive integer event id',
  }),
});

/** An event type filter (e.g. `execution.report`). */
const eventType = z.string().regex(/^[a-z0-9_.-]{1,64}$/, { message: 'expected an event type, e.g. execution.report' });

/** `GET /admin/outbox` query. */
export const listOutboxQuerySchema = z.strictObject({
  status: z.enum(OUTBOX_STATUSES).optional(),
  type: eventType.optional(),
  orderId: z.uuid({ message: 'expected an order uuid' }).optional(),
  /** Extension of CONTRACT section 5: events with a delivery in this status at their current generation. */
  deliveryStatus: z.enum(DELIVERY_STATUSES).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

/** `GET /admin/outbox/stats` takes no query. */
export const outboxStatsQuerySchema = z.strictObject({});

/** An ISO 8601 time with a zone (`2026-11-24T21:00:00Z`, `…+01:00`). */
const isoTime = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time with a zone, e.g. 2026-11-24T21:00:00Z' });

/** Most events one bulk requeue may touch; split bigger repairs by time window. */
export const MAX_BULK_REQUEUE = 1_000_000;

/** `POST /admin/outbox/requeue` body. `since` is inclusive, `until` exclusive, both on `createdAt`. */
export const bulkRequeueBodySchema = z
  .strictObject({
    status: z.enum(['failed', 'processed'], { message: 'expected "failed" or "processed"' }),
    type: eventType.optional(),
    /** Extension of CONTRACT section 5: `failed` resends only events whose mail (or broadcast) failed. */
    deliveryStatus: z.enum(DELIVERY_STATUSES).optional(),
    since: isoTime.optional(),
    until: isoTime.optional(),
    limit: z.number().int().min(1).max(MAX_BULK_REQUEUE, { message: `at most ${MAX_BULK_REQUEUE}` }).optional(),
  })
  .refine((b) => b.since === undefined || b.until === undefined || Date.parse(b.since) < Date.parse(b.until), {
    message: 'must be after since',
    path: ['until'],
  });
