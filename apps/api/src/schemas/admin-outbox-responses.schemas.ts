import { DELIVERY_CHANNELS, DELIVERY_STATUSES, OUTBOX_STATUSES, type OutboxStatus } from '@execn/db';
import type { EventWithDeliveries, OutboxEventView, OutboxStats } from '@execn/outbox';
import { z } from 'zod';
import { isoTimeSchema } from './admin-responses.schemas';

/**
 * The shapes the admin outbox routes answer, for the OpenAPI document, each
 * tied to the type `@execn/outbox` returns (`satisfies`).
 */

export const outboxEventSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    orderId: z.string().nullable(),
    accountId: z.string(),
    status: z.enum(OUTBOX_STATUSES),
    generation: z.number().int(),
    attempts: z.number().int(),
    payload: z.record(z.string(), z.unknown()),
    lastError: z.string().nullable(),
    createdAt: isoTimeSchema,
    enqueuedAt: isoTimeSchema.nullable(),
    processedAt: isoTimeSchema.nullable(),
  })
  .meta({ id: 'OutboxEvent' }) satisfies z.ZodType<OutboxEventView>;

export const outboxEventPageSchema = z
  .object({ events: z.array(outboxEventSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'OutboxEventPage' });

export const eventWithDeliveriesSchema = z
  .object({
    event: outboxEventSchema,
    deliveries: z.array(
      z.object({
        channel: z.enum(DELIVERY_CHANNELS),
        generation: z.number().int(),
        status: z.enum(DELIVERY_STATUSES),
        attempts: z.number().int(),
        lastError: z.string().nullable(),
        messageId: z.string().nullable().meta({ description: 'the Message-ID header with its angle brackets' }),
        updatedAt: isoTimeSchema,
      }),
    ),
  })
  .meta({ id: 'OutboxEventWithDeliveries' }) satisfies z.ZodType<EventWithDeliveries>;

const countsShape = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, z.number().int()])) as Record<OutboxStatus, z.ZodNumber>;

export const outboxStatsSchema = z
  .object({
    counts: z.object(countsShape),
    oldestPendingSeconds: z.number().nullable().meta({ description: 'null when nothing is pending' }),
  })
  .meta({ id: 'OutboxStats' }) satisfies z.ZodType<OutboxStats>;

export const requeuedEventSchema = z.object({ event: outboxEventSchema });
export const bulkRequeuedSchema = z.object({ requeued: z.number().int() });
