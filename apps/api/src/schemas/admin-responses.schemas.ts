import type { AuditPage } from '@execn/audit';
import { z } from 'zod';

/**
 * The shapes the admin routes answer, for the OpenAPI document. Where a
 * library returns a typed value the schema is tied to it (`satisfies`), so the
 * two cannot drift apart without the type check failing; the document test
 * also checks real bodies against them.
 */

/** An ISO 8601 time in UTC, as every time in the API. */
export const isoTimeSchema = z.string().meta({ description: 'ISO 8601, UTC' });

export const accountSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string().nullable(), createdAt: isoTimeSchema })
  .meta({ id: 'Account' });

/** The instrument object of CONTRACT section 4 (`InstrumentView` is inferred from it). */
export const instrumentSchema = z
  .object({
    symbol: z.string(),
    tickSize: z.string().meta({ description: 'decimal string' }),
    lotSize: z.number().int(),
    halted: z.boolean(),
    createdAt: isoTimeSchema,
    updatedAt: isoTimeSchema,
  })
  .meta({ id: 'Instrument' });

export const auditPageSchema = z
  .object({
    entries: z.array(
      z.object({
        id: z.string(),
        actor: z.string(),
        action: z.string(),
        target: z.string().meta({ description: '`<kind>:<id>`, e.g. `outbox_event:42`' }),
        params: z.record(z.string(), z.unknown()),
        at: isoTimeSchema,
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'AuditPage' }) satisfies z.ZodType<AuditPage>;
