import { z } from 'zod';
import { executionReportSchema } from './execution-report';
import { MAIL_PREFERENCES } from './notification-preferences';
import { orderViewSchema } from './order';

/**
 * The shapes the trader REST routes answer (CONTRACT section 5), shared by the
 * api (its OpenAPI document is generated from them) and `@execn/client`.
 */

/** `POST /v1/orders` and `DELETE /v1/orders/:id`: the order and this request's reports for it. */
export const orderResultSchema = z
  .object({ order: orderViewSchema, reports: z.array(executionReportSchema) })
  .meta({ id: 'OrderResult' });

/** `GET /v1/orders`: a page of orders, newest first. */
export const orderPageSchema = z
  .object({
    orders: z.array(orderViewSchema),
    nextCursor: z.string().nullable().meta({ description: 'pass back as `cursor`; null at the end' }),
  })
  .meta({ id: 'OrderPage' });

/** `GET /v1/execution-reports`: reports after `sinceSeq`, ascending, and the account's latest seq. */
export const reportPageSchema = z
  .object({ reports: z.array(executionReportSchema), lastSeq: z.number().int().nonnegative() })
  .meta({ id: 'ReportPage' });

/** `GET/PUT /v1/notification-preferences`: what the account's mail gets (CONTRACT section 7). */
export const notificationPreferencesSchema = z
  .object({ mail: z.enum(MAIL_PREFERENCES) })
  .meta({ id: 'NotificationPreferences' });
export type NotificationPreferences = z.infer<typeof notificationPreferencesSchema>;

/** Every REST error: `{"error": {code, message, details?}}`. */
export const apiErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'stable snake_case code, e.g. `validation_error`' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

export type OrderResult = z.infer<typeof orderResultSchema>;
export type OrderPage = z.infer<typeof orderPageSchema>;
export type ReportPage = z.infer<typeof reportPageSchema>;
