import { z } from 'zod';
import { ORDER_STATUSES, REPORT_REASONS } from './execution-report';

/**
 * The order object of CONTRACT section 4, as REST returns it. The schema is
 * the one description: the type is inferred from it and the OpenAPI document
 * is generated from it.
 */
export const orderViewSchema = z
  .object({
    id: z.string().meta({ description: 'uuid' }),
    accountId: z.string(),
    clientOrderId: z.string().nullable(),
    symbol: z.string(),
    side: z.enum(['buy', 'sell']),
    type: z.enum(['limit', 'market']),
    timeInForce: z.enum(['GTC', 'IOC']),
    price: z.string().nullable().meta({ description: 'decimal string; null for market orders' }),
    quantity: z.number().int(),
    cumQty: z.number().int(),
    leavesQty: z.number().int(),
    avgPx: z.string().nullable().meta({ description: 'decimal string; null until the first fill' }),
    status: z.enum(ORDER_STATUSES),
    reason: z.enum(REPORT_REASONS).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Order' });

export type OrderView = z.infer<typeof orderViewSchema>;
